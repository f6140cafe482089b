package io.tiyi.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import com.beust.jcommander.ParametersDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import io.tiyi.client.TiyiClient;
import io.tiyi.client.rpc.AuthService;
import io.tiyi.client.rpc.Empty;
import io.tiyi.client.rpc.UsersService;

/** {@code tiyi login}, {@code tiyi logout} and {@code tiyi users ...}. */
final class AccountCommands {
    private AccountCommands() {}

    abstract static class Base implements CliCommand {
        @ParametersDelegate
        GlobalOptions global = new GlobalOptions();

        @Override
        public GlobalOptions global() {
            return global;
        }
    }

    @Parameters(commandDescription = "Log in to a node and keep the session for later commands")
    static final class Login extends Base {
        @Parameter(names = "--user", description = "User name", required = true)
        String user;

        @Parameter(names = "--password-stdin", description = "Read the password from standard input")
        boolean passwordStdin;

        @Override
        public int run(CliContext ctx) throws Exception {
            TiyiClient api = ctx.anonymous();
            char[] pw = ctx.password(passwordStdin, "Password for " + user, false);
            JsonNode g = api.call(AuthService.LOGIN, new AuthService.LoginRequest(user, new String(pw)));
            ctx.sessions.save(new SessionStore.Session(api.baseUrl(), user, g.get("access_token").asText(),
                    g.get("access_expires_at").asLong(), g.get("refresh_token").asText()));
            boolean mustChange = g.get("must_change_password").asBoolean();
            if (ctx.json()) {
                ctx.printJson(new LoggedIn(api.baseUrl(), user, g.get("role").asText(), mustChange));
            } else {
                ctx.out.println(Table.escape("logged in to " + api.baseUrl() + " as " + user + " (" + g.get("role").asText() + "); session in "
                        + ctx.sessions.file()));
            }
            if (mustChange) {
                ctx.err.println(Table.escape("WARNING this password must be replaced before anything else: tiyi users set-password --name " + user));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "End the session of a node and forget it")
    static final class Logout extends Base {
        @Override
        public int run(CliContext ctx) {
            String api = ctx.explicitApi().orElseGet(() -> ctx.sessions.single().map(SessionStore.Session::api).orElse(null));
            if (api == null) {
                throw new UsageException("which node? pass --api (no single session to end)");
            }
            SessionStore.Session s = ctx.sessions.find(api).orElse(null);
            if (s == null) {
                ctx.out.println(Table.escape("no session for " + api));
                return 0;
            }
            try {
                TiyiClient.of(api, null).call(AuthService.LOGOUT, new AuthService.RefreshRequest(s.refreshToken()));
            } finally {
                ctx.sessions.remove(api);
            }
            ctx.out.println(Table.escape("logged out of " + api));
            return 0;
        }
    }

    @Parameters(commandDescription = "List users")
    static final class UsersList extends Base {
        @Override
        public int run(CliContext ctx) {
            JsonNode users = ctx.client().listAll(UsersService.LIST, "users");
            if (ctx.json()) {
                ctx.printJson(users);
                return 0;
            }
            Table t = new Table("NAME", "ROLE", "STATUS", "CREATED", "UPDATED");
            for (JsonNode u : users) {
                String status = u.get("disabled").asBoolean() ? "disabled" : u.get("must_change_password").asBoolean() ? "must change password"
                        : "active";
                t.row(u.get("name").asText(), u.get("role").asText(), status, Table.time(u.get("created_at").asLong()),
                        Table.time(u.get("updated_at").asLong()));
            }
            t.print(ctx.out);
            return 0;
        }
    }

    @Parameters(commandDescription = "Create a user")
    static final class UsersCreate extends Base {
        @Parameter(names = "--name", description = "User name (a-z, 0-9, . _ -)", required = true)
        String name;

        @Parameter(names = "--role", description = "admin, operator or viewer", required = true)
        String role;

        @Parameter(names = "--password-stdin", description = "Read the password from standard input")
        boolean passwordStdin;

        @Parameter(names = "--require-change", description = "The user must choose a new password at first login")
        boolean requireChange;

        @Override
        public int run(CliContext ctx) throws Exception {
            char[] pw = ctx.password(passwordStdin, "Password for " + name, true);
            JsonNode u = ctx.client().call(UsersService.CREATE, new UsersService.CreateRequest(name, role, new String(pw), requireChange));
            if (ctx.json()) {
                ctx.printJson(u);
            } else {
                ctx.out.println(Table.escape("created user " + u.get("name").asText() + " (" + u.get("role").asText() + ")"));
            }
            return 0;
        }
    }

    @Parameters(commandDescription = "Set a user's password (your own, or anyone's as an admin)")
    static final class UsersSetPassword extends Base {
        @Parameter(names = "--name", description = "User name", required = true)
        String name;

        @Parameter(names = "--password-stdin", description = "Read the new password from standard input")
        boolean passwordStdin;

        @Parameter(names = "--require-change", description = "Make the user replace this password at next login")
        boolean requireChange;

        @Override
        public int run(CliContext ctx) throws Exception {
            TiyiClient api = ctx.client();
            char[] pw = ctx.password(passwordStdin, "New password for " + name, true);
            AuthService.WhoAmI me = api.call(AuthService.WHO_AM_I, Empty.INSTANCE);
            boolean self = !me.local() && me.user().equals(name);
            if (self && !requireChange) {
                api.call(AuthService.CHANGE_PASSWORD, new AuthService.ChangePasswordRequest(new String(pw)));
            } else {
                api.call(UsersService.SET_PASSWORD, new UsersService.SetPasswordRequest(name, new String(pw), requireChange));
            }
            boolean renewed = self && !requireChange && renewSession(ctx, api.baseUrl(), name, pw);
            if (ctx.json()) {
                ctx.printJson(new PasswordSet(name, true));
            } else {
                ctx.out.println(Table.escape("password of " + name + " set" + (self ? "; every session of this user was ended" : "")
                        + (renewed ? ", and this one renewed with the new password" : "")));
            }
            if (self && !renewed) {
                ctx.err.println("WARNING the saved session of " + name + " ended with the password change; run: tiyi login --api "
                        + api.baseUrl() + " --user " + name);
            }
            return 0;
        }

        /** A password change ends every session of the user, this one too: log in again with the new password. */
        private static boolean renewSession(CliContext ctx, String api, String user, char[] password) {
            if (ctx.sessions.find(api).isEmpty()) {
                return false;
            }
            try {
                JsonNode g = TiyiClient.of(api, null).call(AuthService.LOGIN, new AuthService.LoginRequest(user, new String(password)));
                ctx.sessions.save(new SessionStore.Session(api, user, g.get("access_token").asText(), g.get("access_expires_at").asLong(),
                        g.get("refresh_token").asText()));
                return true;
            } catch (RuntimeException e) {
                ctx.sessions.remove(api);
                return false;
            }
        }
    }

    @Parameters(commandDescription = "Change a user's role")
    static final class UsersSetRole extends Base {
        @Parameter(names = "--name", description = "User name", required = true)
        String name;

        @Parameter(names = "--role", description = "admin, operator or viewer", required = true)
        String role;

        @Override
        public int run(CliContext ctx) {
            return print(ctx, ctx.client().call(UsersService.SET_ROLE, new UsersService.SetRoleRequest(name, role)), "role of " + name + " is now " + role);
        }
    }

    @Parameters(commandDescription = "Disable a user (ends its sessions)")
    static final class UsersDisable extends Base {
        @Parameter(names = "--name", description = "User name", required = true)
        String name;

        @Parameter(names = "--enable", description = "Enable the user again instead")
        boolean enable;

        @Override
        public int run(CliContext ctx) {
            JsonNode u = ctx.client().call(enable ? UsersService.ENABLE : UsersService.DISABLE, new UsersService.NameRequest(name));
            return print(ctx, u, name + (enable ? " enabled" : " disabled"));
        }
    }

    @Parameters(commandDescription = "Delete a user")
    static final class UsersDelete extends Base {
        @Parameter(names = "--name", description = "User name", required = true)
        String name;

        @Override
        public int run(CliContext ctx) {
            ctx.client().call(UsersService.DELETE, new UsersService.NameRequest(name));
            return print(ctx, new Deleted(name, true), "deleted user " + name);
        }
    }

    /** What {@code tiyi login --output json} prints. */
    record LoggedIn(String api, String user, String role, boolean mustChangePassword) {}

    /** What setting a password prints as JSON. */
    record PasswordSet(String name, boolean passwordSet) {}

    /** What deleting a named object prints as JSON. */
    record Deleted(String name, boolean deleted) {}

    /** What revoking an object with an id prints as JSON. */
    record Revoked(String id, boolean revoked) {}

    static int print(CliContext ctx, Object json, String text) {
        if (ctx.json()) {
            ctx.printJson(json);
        } else {
            ctx.out.println(Table.escape(text));
        }
        return 0;
    }
}
