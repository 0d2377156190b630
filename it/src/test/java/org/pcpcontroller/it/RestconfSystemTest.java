/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots the built distribution and drives it over RESTCONF with plain HTTP, as an operator's curl would: gateways
 * are created, read, updated and deleted; operator mappings are added, refused when invalid, read back, kept across
 * a restart and removed. The OpenAPI document the distribution serves describes all of it.
 */
@SystemTest
class RestconfSystemTest {
    private static final Logger LOG = LoggerFactory.getLogger(RestconfSystemTest.class);
    private static final String GATEWAY = "/data/pcp-gateway:gateways/gateway=it-gw";
    private static final String MAPPINGS = "/data/pcp-mapping:mappings/gateway=it-gw";
    private static final String GATEWAY_JSON = """
        {"pcp-gateway:gateway":[{
          "id":"it-gw",
          "description":"system test gateway",
          "external-address":["192.0.3.1"],
          "internal-prefix":["10.0.0.0/24","2001:db8:1::/64"],
          "external-port-range":{"start":20000,"end":20010},
          "openflow":{"datapath-id":["00:00:00:00:00:00:00:01"]},
          "policy":{"min-lifetime":120,"max-lifetime":7200}
        }]}""";

    private static final Duration RSS_WINDOW = Duration.ofSeconds(2);
    private static final long RSS_SETTLED_KIB = 1024;
    private static final Duration RSS_TIMEOUT = Duration.ofSeconds(60);

    private Distribution karaf;

    @BeforeAll
    void boot(final Distribution distribution) throws Exception {
        karaf = distribution;
        final var ready = karaf.startedIn();
        final var report = String.format("boot-to-RESTCONF-ready: %.1f s, RSS once settled: %s on Java %s%n",
            ready.toMillis() / 1000.0, settledRss(), Runtime.version());
        LOG.info("{}", report.strip());
        Files.writeString(Path.of(System.getProperty("pcp.workdir"), "boot-report.txt"), report);
    }

    /**
     * The RSS of the Karaf JVM once boot has settled. Bundles that start after RESTCONF answers, and the JIT, still
     * grow it for a few seconds, so the figure is taken once it grew less than {@link #RSS_SETTLED_KIB} over
     * {@link #RSS_WINDOW}. A machine too loaded to settle in time gives the last figure, marked as such: the figure
     * is reported, never asserted.
     */
    private String settledRss() throws Exception {
        if (karaf.rssKib().isEmpty()) {
            return "unknown";
        }
        final var window = new ArrayList<RssSample>();
        try {
            Await.until("the Karaf RSS to grow less than " + RSS_SETTLED_KIB + " KiB in " + RSS_WINDOW, () -> {
                final var now = new RssSample(System.nanoTime(), karaf.rssKib().orElseThrow());
                window.add(now);
                // keep the newest sample that is at least RSS_WINDOW old, drop the older ones
                while (window.size() > 1 && now.nanos() - window.get(1).nanos() >= RSS_WINDOW.toNanos()) {
                    window.remove(0);
                }
                return window;
            }, RestconfSystemTest::rssSettled, RSS_TIMEOUT);
            return window.getLast().kib() / 1024 + " MiB";
        } catch (AssertionError e) {
            return window.getLast().kib() / 1024 + " MiB (still growing after " + RSS_TIMEOUT + ")";
        }
    }

    private static boolean rssSettled(final List<RssSample> window) {
        final var stats = window.stream().mapToLong(RssSample::kib).summaryStatistics();
        return window.getLast().nanos() - window.getFirst().nanos() >= RSS_WINDOW.toNanos()
            && stats.getMax() - stats.getMin() < RSS_SETTLED_KIB;
    }

    private record RssSample(long nanos, long kib) {
    }

    private static void assertStatus(final int expected, final HttpResponse<String> response) {
        assertEquals(expected, response.statusCode(), () -> "HTTP " + response.statusCode() + ": " + response.body());
    }

    private HttpResponse<String> addMapping(final String input) throws IOException, InterruptedException {
        return karaf.post("/operations/pcp-mapping:add-mapping", "{\"input\":" + input + "}");
    }

    private String awaitState(final String contains) throws Exception {
        return Await.until("the gateway state with " + contains, () -> {
            final var response = karaf.get(GATEWAY + "/state");
            return response.statusCode() + " " + response.body();
        }, body -> body.startsWith("200 ") && body.contains(contains), Duration.ofSeconds(10)).substring(4);
    }

    @Test
    @Order(1)
    void gatewayIsCreatedReadAndUpdated() throws Exception {
        assertStatus(201, karaf.put(GATEWAY, GATEWAY_JSON));
        final var config = karaf.get(GATEWAY + "?content=config");
        assertStatus(200, config);
        assertTrue(config.body().contains("\"192.0.3.1\""), config.body());
        assertTrue(config.body().contains("\"00:00:00:00:00:00:00:01\""), config.body());

        final var state = awaitState("\"serving\"");
        assertTrue(state.contains("epoch-origin"), state);

        assertStatus(204, karaf.put(GATEWAY, GATEWAY_JSON.replace("system test gateway", "renamed")));
        assertTrue(karaf.get(GATEWAY + "/description").body().contains("renamed"));
    }

    @Test
    @Order(2)
    void invalidGatewayIsRefusedWithAReason() throws Exception {
        final var outOfRange = karaf.put("/data/pcp-gateway:gateways/gateway=bad", GATEWAY_JSON
            .replace("it-gw", "bad").replace("\"end\":20010", "\"end\":70000"));
        assertStatus(400, outOfRange);
        assertTrue(outOfRange.body().contains("70000"), outOfRange.body());

        final var badAddress = karaf.put("/data/pcp-gateway:gateways/gateway=bad", GATEWAY_JSON
            .replace("it-gw", "bad").replace("192.0.3.1", "192.0.3.300"));
        assertStatus(400, badAddress);
        assertTrue(badAddress.body().contains("192.0.3.300"), badAddress.body());

        // A must-statement MD-SAL does not evaluate: the commit cohort refuses it with the reason. RESTCONF (netconf
        // 10.0.2) reports any refused commit as operation-failed, HTTP 500, with the reason in error-info.
        final var inverted = karaf.put("/data/pcp-gateway:gateways/gateway=bad", GATEWAY_JSON
            .replace("it-gw", "bad").replace("\"start\":20000", "\"start\":30000"));
        assertStatus(500, inverted);
        assertTrue(inverted.body().contains("operation-failed"), inverted.body());
        assertTrue(inverted.body().contains("external-port-range start 30000 is above end 20010"), inverted.body());

        // nothing of it was stored
        assertStatus(409, karaf.get("/data/pcp-gateway:gateways/gateway=bad?content=config"));
    }

    @Test
    @Order(3)
    void staticMappingIsAddedReadAndRefusedWhenInvalid() throws Exception {
        final var added = addMapping("""
            {"gateway-id":"it-gw","protocol":"udp","internal-address":"10.0.0.2","internal-port":20001,
             "description":"game server"}""");
        assertStatus(200, added);
        assertTrue(added.body().contains("\"external-port\":20001"), added.body());
        assertTrue(added.body().contains("\"external-address\":\"192.0.3.1\""), added.body());

        final var stored = karaf.get(MAPPINGS + "/map=udp,10.0.0.2,20001");
        assertStatus(200, stored);
        assertTrue(stored.body().contains("\"origin\":\"operator\""), stored.body());
        assertTrue(stored.body().contains("game server"), stored.body());

        final var duplicate = addMapping("""
            {"gateway-id":"it-gw","protocol":"udp","internal-address":"10.0.0.2","internal-port":20001}""");
        assertStatus(409, duplicate);
        assertTrue(duplicate.body().contains("already exists"), duplicate.body());

        final var taken = addMapping("""
            {"gateway-id":"it-gw","protocol":"udp","internal-address":"10.0.0.3","internal-port":5000,
             "external-port":20001}""");
        assertStatus(409, taken);
        assertTrue(taken.body().contains("already mapped to 10.0.0.2"), taken.body());

        final var outside = addMapping("""
            {"gateway-id":"it-gw","protocol":"tcp","internal-address":"172.16.0.2","internal-port":22}""");
        assertStatus(400, outside);
        assertTrue(outside.body().contains("not inside the internal prefixes"), outside.body());

        final var wrongRange = addMapping("""
            {"gateway-id":"it-gw","protocol":"tcp","internal-address":"10.0.0.4","internal-port":22,
             "external-port":80}""");
        assertStatus(400, wrongRange);
        assertTrue(wrongRange.body().contains("outside the range 20000..20010"), wrongRange.body());

        final var mixed = addMapping("""
            {"gateway-id":"it-gw","protocol":"tcp","internal-address":"2001:db8:1::4","internal-port":22,
             "external-address":"192.0.3.1"}""");
        assertStatus(400, mixed);
        assertTrue(mixed.body().contains("not of the family"), mixed.body());

        final var unknown = addMapping("""
            {"gateway-id":"nowhere","protocol":"tcp","internal-address":"10.0.0.4","internal-port":22}""");
        assertStatus(409, unknown);
        assertTrue(unknown.body().contains("gateway nowhere is not configured"), unknown.body());

        // only the one valid mapping is stored
        final var all = karaf.get(MAPPINGS + "?content=config");
        assertStatus(200, all);
        assertEquals(1, count(all.body(), "\"internal-address\""), all.body());

        final var pinhole = addMapping("""
            {"gateway-id":"it-gw","protocol":"tcp","internal-address":"2001:db8:1::4","internal-port":8080,
             "lifetime":3600}""");
        assertStatus(200, pinhole);
        assertTrue(pinhole.body().contains("\"external-address\":\"2001:db8:1::4\""), pinhole.body());
        assertTrue(pinhole.body().contains("\"expires\""), pinhole.body());
        awaitState("\"mapping-count\":2");
    }

    /**
     * Issue 14 #2: a mapping written straight into the mapping tree would be rendered to the gateway but never enter
     * the store's index (its port and quota leak, its lease never ends), so the store's commit cohort refuses any
     * write of /mappings that is not its own. RESTCONF (netconf 10.0.2) reports a refused commit as
     * operation-failed, HTTP 500, with the cohort's reason; the store's own writes (the RPCs) still pass it.
     */
    @Test
    @Order(4)
    void directWritesOfTheMappingsAreRefused() throws Exception {
        final var entry = MAPPINGS + "/map=udp,10.0.0.9,7000";
        final var put = karaf.put(entry, """
            {"pcp-mapping:map":[{"protocol":"udp","internal-address":"10.0.0.9","internal-port":7000,
              "external-address":"192.0.3.1","external-port":20005,"origin":"operator",
              "created":"2026-11-23T12:00:00Z"}]}""");
        assertStatus(500, put);
        assertTrue(put.body().contains("pcp-mapping:mappings is written by the controller only"), put.body());
        assertStatus(409, karaf.get(entry));

        // RESTCONF answers a refused delete without the reason ("Transaction to delete failed")
        assertStatus(500, karaf.delete(MAPPINGS + "/map=udp,10.0.0.2,20001"));
        assertStatus(200, karaf.get(MAPPINGS + "/map=udp,10.0.0.2,20001"));

        final var wholeTree = karaf.delete("/data/pcp-mapping:mappings");
        assertStatus(500, wholeTree);
        assertStatus(200, karaf.get(MAPPINGS + "/map=udp,10.0.0.2,20001"));

        // the index holds neither the refused entry nor lost the kept one: the port the refused write named is free
        // for the RPC, and the count is as before
        final var added = addMapping("""
            {"gateway-id":"it-gw","protocol":"udp","internal-address":"10.0.0.9","internal-port":7000,
             "external-port":20005}""");
        assertStatus(200, added);
        assertTrue(added.body().contains("\"external-port\":20005"), added.body());
        awaitState("\"mapping-count\":3");
        assertStatus(204, karaf.post("/operations/pcp-mapping:remove-mapping", """
            {"input":{"gateway-id":"it-gw","protocol":"udp","internal-address":"10.0.0.9","internal-port":7000}}"""));
        assertStatus(409, karaf.get(entry));
        awaitState("\"mapping-count\":2");
    }

    @Test
    @Order(5)
    void mappingsAndEpochSurviveARestart() throws Exception {
        final var epoch = epochOrigin(awaitState("epoch-origin"));
        karaf.stop();
        karaf.start(BootedDistribution.BOOT_TIMEOUT);
        assertStatus(200, karaf.get(MAPPINGS + "/map=udp,10.0.0.2,20001"));
        assertStatus(200, karaf.get(MAPPINGS + "/map=tcp,2001:db8:1::4,8080"));
        assertEquals(epoch, epochOrigin(awaitState("epoch-origin")));
    }

    @Test
    @Order(6)
    void mappingIsRemoved() throws Exception {
        final var key = """
            {"input":{"gateway-id":"it-gw","protocol":"udp","internal-address":"10.0.0.2","internal-port":20001}}""";
        assertStatus(204, karaf.post("/operations/pcp-mapping:remove-mapping", key));
        assertStatus(409, karaf.get(MAPPINGS + "/map=udp,10.0.0.2,20001"));
        final var again = karaf.post("/operations/pcp-mapping:remove-mapping", key);
        assertStatus(409, again);
        assertTrue(again.body().contains("no mapping"), again.body());
    }

    @Test
    @Order(7)
    void deletingTheGatewayRemovesItsMappings() throws Exception {
        assertStatus(204, karaf.delete(GATEWAY));
        Await.until("the gateway's mappings gone", () -> karaf.get(MAPPINGS).statusCode(), status -> status == 409,
            Duration.ofSeconds(10));
        assertFalse(karaf.get("/data/pcp-gateway:gateways?content=config").body().contains("it-gw"));
    }

    /**
     * Issue 17: the distribution serves the OpenAPI document of every module RESTCONF serves (odl-restconf-openapi),
     * to the RESTCONF credentials only. All four modules are in the controller's schema context (pcp-yang registers
     * their bindings, pcp-netfilter too, though only gateways act on it), so each has its data paths, and each
     * pcp-mapping RPC its POST under /operations.
     */
    @Test
    @Order(8)
    void openApiDocumentHoldsThePathsAndRpcsOfTheFourModules() throws Exception {
        final var anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(Distribution.OPENAPI + "/single")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertStatus(401, anonymous);

        final var document = karaf.openApi("/single");
        assertStatus(200, document);
        final var paths = new ObjectMapper().readTree(document.body()).path("paths");
        final var names = new TreeSet<String>();
        paths.fieldNames().forEachRemaining(names::add);
        final var pcpPaths = names.stream().filter(name -> name.contains("/pcp-")).toList();
        for (var path : List.of(
                "/rests/data/pcp-gateway:gateways",
                "/rests/data/pcp-gateway:gateways/gateway={id}",
                "/rests/data/pcp-gateway:switches",
                "/rests/data/pcp-mapping:mappings",
                "/rests/data/pcp-flow-priority:flow-priority",
                "/rests/data/pcp-flow-priority:marked-flows",
                "/rests/data/pcp-netfilter:netfilter")) {
            assertTrue(names.contains(path), () -> path + " is not among the document's paths " + pcpPaths);
        }
        for (var rpc : List.of("add-mapping", "refresh-mapping", "remove-mapping", "clear-gateway")) {
            final var path = "/rests/operations/pcp-mapping:" + rpc;
            assertTrue(paths.path(path).has("post"), () -> path + " has no POST among the paths " + pcpPaths);
        }
        // a writable container can be PUT, state only (config false) cannot
        assertTrue(paths.path("/rests/data/pcp-gateway:gateways").has("put"), pcpPaths::toString);
        assertTrue(paths.path("/rests/data/pcp-gateway:switches").has("get"), pcpPaths::toString);
        assertFalse(paths.path("/rests/data/pcp-gateway:switches").has("put"), pcpPaths::toString);
        LOG.info("OpenAPI document: {} paths, {} of them of the pcp-* modules, {} KiB", names.size(),
            pcpPaths.size(), document.body().length() / 1024);
    }

    private static String epochOrigin(final String state) {
        final var matcher = Pattern.compile("\"epoch-origin\":\"([^\"]+)\"").matcher(state);
        assertTrue(matcher.find(), state);
        return matcher.group(1);
    }

    private static int count(final String text, final String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
