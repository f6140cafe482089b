package io.tiyi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import io.tiyi.ErrorCode;
import io.tiyi.TiyiException;
import io.tiyi.client.TiyiApiException;
import io.tiyi.events.AccessEvent;
import io.tiyi.events.SecurityEvent;
import io.tiyi.events.ShippedSecurityEvents;
import io.tiyi.testsupport.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@link EventShipper} against senders that stand in for a control plane that is slow, down, older or strict. */
class EventShipperTest {
    final MetricRegistry metrics = new MetricRegistry();
    final List<List<SecurityEvent>> delivered = Collections.synchronizedList(new ArrayList<>());
    final List<TrafficCounter.Minute> minutes = Collections.synchronizedList(new ArrayList<>());
    EventShipper shipper;

    @AfterEach
    void close() {
        if (shipper != null) {
            shipper.close();
        }
    }

    static SecurityEvent blocked(String id) {
        return new SecurityEvent(System.currentTimeMillis(), id, "203.0.113.7", "203.0.113.7", "shop", "GET", "shop.test", "/?q=1' or '1'='1",
                "blocked", 403, List.of(942100L, 949110L), List.of("SQL Injection", "Inbound Anomaly Score Exceeded"), "ARGS:q=1' or '1'='1", 5);
    }

    static void await(BooleanSupplier condition, String what) {
        Await.until(Duration.ofSeconds(15), what, condition);
    }

    List<String> deliveredIds() {
        List<String> ids = new ArrayList<>();
        synchronized (delivered) {
            delivered.forEach(b -> b.forEach(e -> ids.add(e.requestId())));
        }
        return ids;
    }

    @Test
    void aFullQueueDropsAndCountsWithoutEverBlockingTheOfferingThread() throws Exception {
        CountDownLatch inSend = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        shipper = new EventShipper((batch, traffic) -> {
            inSend.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.add(batch);
        }, () -> "http://cp.test", metrics, 100, 60_000);
        shipper.start();
        shipper.offer(blocked("first"));
        assertThat(inSend.await(10, TimeUnit.SECONDS)).as("the first batch is being sent").isTrue();

        long start = System.nanoTime();
        for (int i = 0; i < 150; i++) {
            shipper.offer(blocked("e" + i));
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).as("offers never wait for the stuck control plane").isLessThan(1000);
        assertThat(shipper.queued()).isEqualTo(100);
        assertThat(shipper.dropped()).isEqualTo(50);
        assertThat(metrics.getCounters().get("tiyi.agent.events.dropped").getCount()).isEqualTo(50);
        assertThat(metrics.getGauges().get("tiyi.agent.events.queued").getValue()).isEqualTo(100);

        release.countDown();
        await(() -> shipper.shipped() == 101, "the queue to drain");
        List<String> expected = new ArrayList<>(List.of("first"));
        for (int i = 0; i < 100; i++) {
            expected.add("e" + i);
        }
        assertThat(deliveredIds()).as("the oldest kept, in order; the newest dropped").isEqualTo(expected);
        assertThat(metrics.getCounters().get("tiyi.agent.events.shipped").getCount()).isEqualTo(101);
    }

    @Test
    void anUnreachableControlPlaneKeepsTheBatchAndItIsSentOnceItAnswers() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        shipper = new EventShipper((batch, traffic) -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new TiyiException(ErrorCode.UNAVAILABLE, "cannot reach the Tiyi API at http://cp.test: Connection refused");
            }
            delivered.add(batch);
        }, () -> "http://cp.test", metrics, 100, 60_000);
        shipper.start();
        shipper.offer(blocked("a"));
        shipper.offer(blocked("b"));
        await(() -> shipper.shipped() == 2, "the batch to go through after two failures");
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(deliveredIds()).containsExactly("a", "b");
        assertThat(shipper.dropped()).isZero();
    }

    @Test
    void onlySecurityEventsAreShippedAndBatchesHoldAtMostFiveHundred() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        shipper = new EventShipper((batch, traffic) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.add(batch);
            minutes.addAll(traffic);
        }, () -> "http://cp.test", metrics, 2000, 60_000);
        long minute = (System.currentTimeMillis() / 60_000 - 5) * 60_000;
        shipper.offer(access("access-1", "shop", minute + 1));
        for (int i = 0; i < 1200; i++) {
            shipper.offer(blocked("e" + i));
        }
        assertThat(shipper.queued()).isEqualTo(1200);
        shipper.start();
        release.countDown();
        await(() -> shipper.shipped() == 1200, "every event to be shipped");
        synchronized (delivered) {
            assertThat(delivered).extracting(List::size).containsExactly(500, 500, 200);
        }
        assertThat(deliveredIds()).doesNotContain("access-1");
        assertThat(minutes).as("counted instead, and sent along").containsExactly(new TrafficCounter.Minute("shop", minute, 1));
    }

    static AccessEvent access(String id, String site, long ts) {
        return new AccessEvent(ts, id, "1.1.1.1", "1.1.1.1", "GET", "h", "/", 200, 1, site, "", -1, 1);
    }

    @Test
    void eachClosedMinutesRequestCountsGoOnceWithoutEventsAndTheOpenMinuteWaits() throws Exception {
        shipper = new EventShipper((batch, traffic) -> {
            delivered.add(batch);
            minutes.addAll(traffic);
        }, () -> "http://cp.test", metrics, 100, 60_000);
        long now = System.currentTimeMillis();
        long old = (now / 60_000 - 3) * 60_000;
        long current = now / 60_000 * 60_000;
        for (int i = 0; i < 3; i++) {
            shipper.offer(access("s" + i, "shop", old + i * 1000));
        }
        shipper.offer(access("b", "blog", old + 59_999));
        shipper.offer(access("c1", "shop", current));
        shipper.offer(access("c2", "shop", current + 1));
        shipper.start();
        await(() -> shipper.trafficShipped() == 4, "the closed minute's counts");
        Thread.sleep(300);
        assertThat(minutes).containsExactlyInAnyOrder(new TrafficCounter.Minute("shop", old, 3), new TrafficCounter.Minute("blog", old, 1));
        assertThat(deliveredIds()).as("no events: a send of counts alone").isEmpty();

        shipper.closeMinutesNow();
        await(() -> shipper.trafficShipped() == 6, "the open minute's counts once closed now");
        assertThat(minutes).hasSize(3).contains(new TrafficCounter.Minute("shop", current, 2));
        assertThat(metrics.getCounters().get("tiyi.agent.traffic.shipped").getCount()).isEqualTo(6);
        assertThat(shipper.trafficDropped()).isZero();
    }

    @Test
    void aControlPlaneThatKnowsIngestButNotTrafficStillTakesTheEvents() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        shipper = new EventShipper((batch, traffic) -> {
            attempts.incrementAndGet();
            if (!traffic.isEmpty()) {
                throw new TiyiApiException(400, "invalid_argument", "unknown field 'traffic' in tiyi.v1.EventsService/Ingest request");
            }
            delivered.add(batch);
        }, () -> "http://old-cp.test", metrics, 100, 60_000);
        shipper.offer(access("a", "shop", System.currentTimeMillis() - 5 * 60_000));
        shipper.offer(blocked("kept"));
        shipper.start();
        await(() -> shipper.shipped() == 1, "the events sent again without the counts");
        assertThat(deliveredIds()).containsExactly("kept");
        assertThat(shipper.trafficRefused()).isEqualTo(1);
        assertThat(shipper.refused()).isZero();
        shipper.offer(access("b", "shop", System.currentTimeMillis() - 5 * 60_000));
        shipper.closeMinutesNow();
        Thread.sleep(1500);
        assertThat(attempts.get()).as("counts are not offered again during the pause").isEqualTo(2);
        assertThat(shipper.trafficRefused()).isEqualTo(2);
    }

    @Test
    void anOverlongEventIsCutToTheLimitsTheControlPlaneChecks() throws Exception {
        shipper = new EventShipper((batch, traffic) -> delivered.add(batch), () -> "http://cp.test", metrics, 100, 60_000);
        shipper.start();
        List<Long> ids = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(900_000L + i);
            messages.add("m".repeat(2000));
        }
        shipper.offer(new SecurityEvent(System.currentTimeMillis(), "long", "1.1.1.1", "1.1.1.1", "shop", "GET", "h".repeat(5000),
                "/" + "p".repeat(20_000), "blocked", 403, ids, messages, "x".repeat(5000), 5));
        await(() -> shipper.shipped() == 1, "the event to be shipped");
        SecurityEvent e = delivered.get(0).get(0);
        assertThat(e.path()).hasSize(ShippedSecurityEvents.MAX_PATH);
        assertThat(e.host()).hasSize(ShippedSecurityEvents.MAX_TEXT);
        assertThat(e.matched()).hasSize(ShippedSecurityEvents.MAX_TEXT);
        assertThat(e.ruleIds()).hasSize(ShippedSecurityEvents.MAX_RULES);
        assertThat(e.messages()).hasSize(ShippedSecurityEvents.MAX_RULES).allSatisfy(m -> assertThat(m).hasSize(ShippedSecurityEvents.MAX_TEXT));
        assertThat(ShippedSecurityEvents.parse(io.tiyi.internal.Json.MAPPER.valueToTree(e), "events[0]", System.currentTimeMillis()))
                .as("what the agent sends, the control plane takes").isEqualTo(e);
    }

    @Test
    void anOlderControlPlaneIsToldAboutOnceAndAskedAgainOnlyAfterAPause() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(EventShipper.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            AtomicInteger attempts = new AtomicInteger();
            shipper = new EventShipper((batch, traffic) -> {
                attempts.incrementAndGet();
                throw new TiyiApiException(404, "unimplemented", "unknown RPC method 'tiyi.v1.EventsService/Ingest'");
            }, () -> "http://old-cp.test", metrics, 100, 300);
            shipper.start();
            for (int i = 0; i < 5; i++) {
                shipper.offer(blocked("e" + i));
            }
            await(() -> attempts.get() >= 4, "several attempts, a pause apart");
            assertThat(attempts.get()).as("one attempt per pause, not a tight loop").isLessThan(20);
            List<ILoggingEvent> warnings = logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage()).contains("http://old-cp.test is older than this agent")
                    .contains("upgrade the control plane").doesNotContain("\n");
            assertThat(shipper.shipped()).isZero();
            assertThat(shipper.refused()).as("kept for when it is upgraded").isZero();
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void aBatchTheControlPlaneRefusesAsInvalidIsCountedAndNotSentAgain() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        shipper = new EventShipper((batch, traffic) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new TiyiApiException(400, "invalid_argument", "events[0].site is missing");
            }
            delivered.add(batch);
        }, () -> "http://cp.test", metrics, 100, 60_000);
        shipper.start();
        shipper.offer(blocked("bad"));
        await(() -> shipper.refused() == 1, "the refusal to be counted");
        shipper.offer(blocked("good"));
        await(() -> shipper.shipped() == 1, "the next batch to go");
        assertThat(deliveredIds()).containsExactly("good");
        assertThat(metrics.getCounters().get("tiyi.agent.events.refused").getCount()).isEqualTo(1);
    }
}
