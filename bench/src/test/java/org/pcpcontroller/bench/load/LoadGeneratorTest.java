/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generator against the {@link EchoResponder} on loopback: counts add up, every request is matched to its
 * answer, and the latency percentiles are ordered. No assertion on timing.
 */
class LoadGeneratorTest {
    private static final int REQUESTS = 2000;

    private EchoResponder responder;

    @AfterEach
    void stopResponder() throws IOException {
        if (responder != null) {
            responder.close();
        }
    }

    private InetSocketAddress startResponder(final boolean raw, final long dropEvery) throws IOException {
        responder = EchoResponder.start(new InetSocketAddress(LoadOptions.address("127.0.0.1"), 0), 1,
            (Inet4Address) LoadOptions.address("203.0.113.1"), raw, dropEvery);
        return responder.localAddress();
    }

    private LoadReport run(final InetSocketAddress target, final String... args) throws Exception {
        final List<String> all = new ArrayList<>(List.of("--target", "127.0.0.1:" + target.getPort(), "--seed", "1"));
        all.addAll(List.of(args));
        return LoadGenerator.run(LoadOptions.parse(all.toArray(new String[0])));
    }

    private static void assertSaneLatency(final PhaseReport phase) {
        final Map<String, Double> micros = phase.latencyMicros();
        assertTrue(micros.get("p50") > 0, "p50 " + micros);
        assertTrue(micros.get("p50") <= micros.get("p99"), "p50 <= p99 " + micros);
        assertTrue(micros.get("p99") <= micros.get("p999"), "p99 <= p999 " + micros);
        // HdrHistogram reports percentiles at bucket precision (3 digits), the max at its bucket's top
        assertTrue(micros.get("p999") <= micros.get("max") * 1.001, "p999 <= max " + micros);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyRequestOfEveryModeIsAnsweredSuccess(final Mode mode) throws Exception {
        final var target = startResponder(false, 0);
        final LoadReport report = run(target, "--mode", mode.cliName(), "--requests", "" + REQUESTS,
            "--clients", "8", "--window", "32", "--timeout", "5s");
        final PhaseReport main = report.main();
        assertEquals(REQUESTS, main.sent());
        assertEquals(REQUESTS, main.answered());
        assertEquals(0, main.lost());
        assertEquals(0, main.unmatched());
        // the responder answers ADDRESS_MISMATCH when the client IP field is not the source address
        assertEquals(Map.of("SUCCESS", (long) REQUESTS), main.resultCodes());
        assertSaneLatency(main);
        assertNull(report.delete());
        assertEquals(REQUESTS, responder.received());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = { "PCP_MAP", "NATPMP_MAP_UDP", "NATPMP_MAP_TCP" })
    void deleteAfterSendsLifetimeZeroForEachCreatedMapping(final Mode mode) throws Exception {
        final var target = startResponder(false, 0);
        final LoadReport report = run(target, "--mode", mode.cliName(), "--requests", "" + REQUESTS,
            "--clients", "8", "--window", "32", "--timeout", "5s", "--delete-after");
        final PhaseReport delete = report.delete();
        assertNotNull(delete);
        // 8 clients x 250 distinct internal ports: every request created its own mapping
        assertEquals(REQUESTS, delete.sent());
        assertEquals(REQUESTS, delete.answered());
        assertEquals(Map.of("SUCCESS", (long) REQUESTS), delete.resultCodes());
        assertEquals(2 * REQUESTS, responder.received());
    }

    @Test
    void unansweredRequestsAreCountedLostAfterTheTimeout() throws Exception {
        final var target = startResponder(false, 10);
        final PhaseReport main = run(target, "--requests", "" + REQUESTS, "--clients", "4", "--window", "64",
            "--timeout", "300ms").main();
        assertEquals(REQUESTS, main.sent());
        assertEquals(REQUESTS / 10, responder.dropped());
        assertEquals(responder.dropped(), main.lost());
        assertEquals(REQUESTS - responder.dropped(), main.answered());
        assertEquals(0, main.unmatched());
    }

    @Test
    void openLoopRateAndThreadsStillSendEveryRequest() throws Exception {
        final var target = startResponder(true, 0);
        final LoadReport report = run(target, "--requests", "" + REQUESTS, "--clients", "6", "--threads", "2",
            "--rate", "20000", "--timeout", "5s");
        assertEquals(2, report.threads());
        assertEquals(REQUESTS, report.main().sent());
        assertEquals(REQUESTS, report.main().answered());
        assertSaneLatency(report.main());
    }

    @Test
    void durationBoundStopsSending() throws Exception {
        final var target = startResponder(true, 0);
        final PhaseReport main = run(target, "--mode", "natpmp-address", "--duration", "200ms").main();
        assertTrue(main.sent() > 0);
        assertEquals(main.sent(), main.answered() + main.lost());
    }

    @Test
    void warmupLoadIsLeftOutOfTheReport() throws Exception {
        final var target = startResponder(true, 0);
        final PhaseReport main = run(target, "--requests", "500", "--warmup", "100ms").main();
        assertEquals(500, main.sent());
        assertEquals(500, main.answered());
        assertTrue(responder.received() > 500, "warmup requests reached the responder too");
    }

    @Test
    void noServerMeansEverythingLost() throws Exception {
        // a bound but silent socket: requests vanish without an ICMP error
        try (var silent = java.nio.channels.DatagramChannel.open()) {
            silent.bind(new InetSocketAddress(LoadOptions.address("127.0.0.1"), 0));
            final var target = (InetSocketAddress) silent.getLocalAddress();
            final PhaseReport main = run(target, "--requests", "100", "--timeout", "100ms").main();
            assertEquals(100, main.sent());
            assertEquals(100, main.lost());
            assertEquals(0, main.answered());
        }
    }

    @Test
    void selfTestWritesTheJsonReport(@TempDir final Path dir) throws Exception {
        final Path out = dir.resolve("results.json");
        LoadGenerator.main(new String[] { "--self-test", "--requests", "500", "--mode", "pcp-announce",
            "--out", out.toString(), "--pid", "self" });
        final String json = Files.readString(out);
        assertTrue(json.startsWith("{\"mode\": \"pcp-announce\""), json);
        assertTrue(json.contains("\"sent\": 500, \"answered\": 500, \"lost\": 0"), json);
        assertTrue(json.contains("\"resultCodes\": {\"SUCCESS\": 500}"), json);
        assertTrue(json.contains("\"p999\": "), json);
        assertTrue(json.contains("\"delete\": null}"), json);
    }

    @Test
    void eachClientHasItsOwnPortBlockUnlessShared() {
        final LoadOptions options = LoadOptions.parse("--clients", "4");
        final ClientSocket first = LoadGenerator.clientSocket(options, 0, null);
        final ClientSocket last = LoadGenerator.clientSocket(options, 3, null);
        assertEquals(LoadOptions.address("127.0.0.2"), first.address());
        assertEquals(1024, first.firstPort());
        assertEquals(1024 + 16128 - 1, first.lastPort());
        assertEquals(LoadOptions.address("127.0.0.5"), last.address());
        assertEquals(1024 + 3 * 16128, last.firstPort());
        assertEquals(65535, last.lastPort());

        final ClientSocket shared = LoadGenerator.clientSocket(LoadOptions.parse("--clients", "4", "--shared-ports"),
            3, null);
        assertEquals(1024, shared.firstPort());
        assertEquals(65535, shared.lastPort());
    }

    @Test
    void clientAddressesCountUpSkippingZeroAndBroadcastOctets() {
        final var first = LoadOptions.address("127.0.0.254");
        assertEquals(LoadOptions.address("127.0.0.254"), LoadGenerator.clientAddress(first, 0));
        assertEquals(LoadOptions.address("127.0.1.1"), LoadGenerator.clientAddress(first, 1));
        assertEquals(LoadOptions.address("127.0.1.2"), LoadGenerator.clientAddress(first, 2));
    }
}
