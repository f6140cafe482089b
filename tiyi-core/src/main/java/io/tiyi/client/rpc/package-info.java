/**
 * The RPC contract, shared by the node that serves it and every client (the CLI, agents, peers,
 * host applications): one class per service holding its request records and a typed
 * {@link io.tiyi.client.rpc.Rpc} descriptor per method. It depends on nothing of the control
 * plane, so an agent can use it without the store. Fields are snake_case on the wire, as
 * {@code io.tiyi.internal.Json} names them.
 */
package io.tiyi.client.rpc;
