/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Lifetime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PermissionAction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.CompatibilityBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.PermissionRuleBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.PermissionRuleKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.permission.rule.ExternalPortsBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.GatewayKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.DescriptionOption;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.OpcodeData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpOption;
import org.pcpcontroller.api.pcp.PcpRegistry;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.PreferFailureOption;
import org.pcpcontroller.api.pcp.ThirdPartyOption;
import org.pcpcontroller.api.pcp.UnknownOption;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayTracker;
import org.pcpcontroller.impl.render.AnswerGate;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.DatastoreMappingStore;
import org.pcpcontroller.impl.store.StoreTestAccess;

/**
 * Jazzer fuzz target of the request engine on the in-memory datastore: one input is a sequence of up to 12
 * datagrams (PCP v1/v2 MAP, PEER and ANNOUNCE with options, NAT-PMP address, map and unmap, garbage, and mutations of
 * them) from a few clients, inside and outside the internal prefixes, to two gateways with small port ranges (so
 * quotas and ranges run out), while a driven clock moves on between datagrams and the store's expiry runs. After
 * every datagram: no request hit an internal error ({@link PcpEngine#internalErrors()}); an error answer changed no
 * mapping; the store's view equals what /pcp-mapping:mappings holds, exactly; no external endpoint is held by two
 * internal endpoints; quotas and port ranges hold. Each input starts from empty gateways. Seeds live in
 * {@code EngineFuzzTestInputs/datagrams}; docs/fuzzing.md says how to run it long.
 */
class EngineFuzzTest {
    private static final String GW_A = "fuzz-a";
    private static final String GW_B = "fuzz-b";
    /** Quota and ranges of the two gateways, as configured below. */
    private static final int QUOTA_A = 4;
    private static final int PORTS_A_START = 5000;
    private static final int PORTS_A_END = 5007;
    private static final int PORTS_B_START = 6000;
    private static final int PORTS_B_END = 6003;
    private static final List<InetAddress> EXTERNAL_A = List.of(ip("192.0.3.1"), ip("2001:db8::1"));
    private static final List<InetAddress> EXTERNAL_B = List.of(ip("192.0.4.1"), ip("192.0.4.2"));
    /** Internal hosts, a third party, a host outside the prefixes, an IPv6 host. */
    private static final List<InetAddress> CLIENTS = List.of(ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.9"),
        ip("10.1.0.5"), ip("2001:db8:1::2"));
    private static final List<InetAddress> SUGGESTIONS = List.of(ip("::ffff:0.0.0.0"), ip("::"), ip("192.0.3.1"),
        ip("192.0.4.2"), ip("198.51.100.1"), ip("2001:db8:1::2"));
    private static final List<InetAddress> PEERS = List.of(ip("198.51.100.7"), ip("198.51.100.8"),
        ip("2001:db8:2::7"));
    private static final List<Nonce> NONCES = List.of(new Nonce(1, 1), new Nonce(2, 2));
    private static final int[] PROTOCOLS = { 6, 17, 0, 1, 132, 58 };
    private static final int[] PORTS = { 0, 22, 80, 5000, 5001, 6000, 6002 };
    private static final long[] LIFETIMES = { 0, 30, 120, 3600, 100_000 };
    private static final InetSocketAddress SERVER = new InetSocketAddress(ip("10.0.0.1"), 5351);
    private static final PcpCodec[] CODECS = { new PcpCodec(),
        new PcpCodec(PcpRegistry.standard(FlowPriorityOption.MINIUPNPD_CODE)) };

    private static Harness harness;

    /** The datastore, store, tracker and engine, made once per JVM: an input only clears the gateways' mappings. */
    private static final class Harness extends AbstractDataBrokerTest {
        final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00.000001Z"));
        DataBroker broker;
        DatastoreMappingStore store;
        PcpEngine engine;

        void start() throws Exception {
            setup();
            broker = getDataBroker();
            // expiry runs only when the target says so: the store's own timer waits for ever
            store = new DatastoreMappingStore(broker, getDomBroker(), clock, TimeUnit.DAYS.toMillis(365_000), 10);
            final var tracker = new GatewayTracker(broker, store, new GatewayCounters(), TestModel.PARSER, clock);
            engine = new PcpEngine(tracker, store, new GatewayCounters(), new AnswerGate(tracker, store), clock);
            final var tx = broker.newWriteOnlyTransaction();
            for (var gateway : List.of(gatewayA(), gatewayB())) {
                tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
                    .child(Gateway.class, gateway.key()).build(), gateway);
            }
            tx.commit().get(10, TimeUnit.SECONDS);
            // the tracker picks the gateways up from a data tree change: wait until both serve, with their epochs
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tracker.lookup(GW_A).isEmpty() || tracker.lookup(GW_B).isEmpty()
                    || tracker.epochOrigin(GW_A).isEmpty() || tracker.epochOrigin(GW_B).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("gateways not served: " + tracker.problems(GW_A) + " "
                        + tracker.problems(GW_B));
                }
                Thread.sleep(10);
            }
        }
    }

    private static synchronized Harness harness() throws Exception {
        if (harness == null) {
            final var created = new Harness();
            created.start();
            harness = created;
        }
        return harness;
    }

    /**
     * Gateway A: 8 ports, quota 4, lifetimes 60..3600, 2 filters, 10.0.0.2 may ask for third parties, all protocols
     * and all ports allowed.
     */
    private static Gateway gatewayA() {
        return new GatewayBuilder().setId(new GatewayId(GW_A))
            .setExternalAddress(EXTERNAL_A.stream().map(IetfInetUtil::ipAddressFor).toList())
            .setInternalPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.0/24"),
                IetfInetUtil.ipPrefixFor("2001:db8:1::/64")))
            .setExternalPortRange(new ExternalPortRangeBuilder().setStart(EngineFixture.port(PORTS_A_START))
                .setEnd(EngineFixture.port(PORTS_A_END)).build())
            .setPolicy(new PolicyBuilder()
                .setMinLifetime(new Lifetime(Uint32.valueOf(60)))
                .setMaxLifetime(new Lifetime(Uint32.valueOf(3600)))
                .setPerClientQuota(Uint32.valueOf(QUOTA_A))
                .setMaxFilters(Uint8.TWO)
                .setThirdPartyPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.2/32")))
                .setAllowProtocolAll(true)
                .setAllowAllPorts(true)
                .build())
            .build();
    }

    /**
     * Gateway B: two external addresses of 4 ports, no quota, FLOW_PRIORITY under code 4, miniupnpd's compatibility
     * switches, and permission rules: deny by default, allow external 6000..6002.
     */
    private static Gateway gatewayB() {
        return new GatewayBuilder().setId(new GatewayId(GW_B))
            .setExternalAddress(EXTERNAL_B.stream().map(IetfInetUtil::ipAddressFor).toList())
            .setInternalPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.0/24")))
            .setExternalPortRange(new ExternalPortRangeBuilder().setStart(EngineFixture.port(PORTS_B_START))
                .setEnd(EngineFixture.port(PORTS_B_END)).build())
            .setPolicy(new PolicyBuilder()
                .setMaxLifetime(new Lifetime(Uint32.valueOf(3600)))
                .setPerClientQuota(Uint32.ZERO)
                .setFlowPriorityOptionCode(Uint8.valueOf(FlowPriorityOption.MINIUPNPD_CODE))
                .setCompatibility(new CompatibilityBuilder().setNonceTakeoverOnRefresh(true)
                    .setDeleteUnknownNoResources(true).build())
                .setDefaultAction(PermissionAction.Deny)
                .setPermissionRule(Map.of(new PermissionRuleKey(Uint32.ONE), new PermissionRuleBuilder()
                    .setSequence(Uint32.ONE).setAction(PermissionAction.Allow)
                    .setExternalPorts(new ExternalPortsBuilder().setStart(EngineFixture.port(6000))
                        .setEnd(EngineFixture.port(6002)).build())
                    .build()))
                .build())
            .build();
    }

    @FuzzTest
    void datagrams(final FuzzedDataProvider data) throws Exception {
        final var env = harness();
        for (var gateway : List.of(GW_A, GW_B)) {
            env.store.clear(gateway, null).get(10, TimeUnit.SECONDS);
        }
        final long errorsBefore = env.engine.internalErrors();
        for (int step = data.consumeInt(1, 12); step > 0 && data.remainingBytes() > 0; step--) {
            if (advance(env.clock, data)) {
                StoreTestAccess.expireNow(env.store);
            }
            final boolean gatewayA = data.consumeBoolean();
            final String gateway = gatewayA ? GW_A : GW_B;
            final InetAddress source = pick(data, CLIENTS);
            final byte[] datagram = datagram(data, source, gatewayA);
            settle(env);
            final var before = snapshot(env);

            final Optional<byte[]> answer = env.engine.handle(gateway, new InetSocketAddress(source, 40000), SERVER,
                datagram).get(10, TimeUnit.SECONDS);
            settle(env);

            assertEquals(errorsBefore, env.engine.internalErrors(), "a request hit an internal error (see the log)");
            final var after = snapshot(env);
            if (answer.isPresent() && isError(answer.orElseThrow())) {
                assertEquals(before, after, "an error answer changed the mappings");
            }
            checkInvariants(env, after);
        }
    }

    private static boolean advance(final MutableClock clock, final FuzzedDataProvider data) {
        // micro-seconds too, as the system clock has them on Linux
        final Duration step = switch (data.consumeInt(0, 3)) {
            case 1 -> Duration.of(data.consumeLong(0, 2_000_000), ChronoUnit.MICROS);
            case 2 -> Duration.ofSeconds(data.consumeLong(1, 7200)).plus(data.consumeInt(0, 999_999),
                ChronoUnit.MICROS);
            case 3 -> Duration.ofSeconds(3601);
            default -> Duration.ZERO;
        };
        clock.advance(step);
        return !step.isZero();
    }

    private static byte[] datagram(final FuzzedDataProvider data, final InetAddress source, final boolean gatewayA) {
        final byte[] datagram = switch (data.consumeInt(0, 5)) {
            case 0, 1, 2 -> pcp(data, source, gatewayA);
            case 3 -> NatPmpCodec.encode(new NatPmpMessage.MappingRequest(
                data.consumeBoolean() ? MappingProtocol.UDP : MappingProtocol.TCP, pickPort(data), pickPort(data),
                pickLifetime(data)));
            case 4 -> NatPmpCodec.encode(new NatPmpMessage.PublicAddressRequest());
            default -> data.consumeBytes(data.consumeInt(0, 1200));
        };
        if (datagram.length > 0 && data.consumeInt(0, 7) == 0) {
            // a byte changed after encoding: checks behind the codec's see the unexpected too
            datagram[data.consumeInt(0, datagram.length - 1)] = data.consumeByte();
        }
        return datagram;
    }

    private static byte[] pcp(final FuzzedDataProvider data, final InetAddress source, final boolean gatewayA) {
        final int version = data.consumeInt(0, 3) == 0 ? 1 : 2;
        final Nonce nonce = version == 2 ? pick(data, NONCES) : null;
        final int protocol = data.consumeBoolean() ? PROTOCOLS[data.consumeInt(0, PROTOCOLS.length - 1)]
            : data.consumeInt(0, 255);
        final OpcodeData opcodeData = switch (data.consumeInt(0, version == 2 ? 2 : 1)) {
            case 0 -> new MapData(nonce, protocol, pickPort(data), pickPort(data), pick(data, SUGGESTIONS));
            case 1 -> new PeerData(nonce, protocol, pickPort(data), pickPort(data), pick(data, SUGGESTIONS),
                pickPort(data), pick(data, PEERS));
            default -> new AnnounceData();
        };
        final var options = new ArrayList<PcpOption>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            options.add(switch (data.consumeInt(0, 5)) {
                case 0 -> new ThirdPartyOption(pick(data, CLIENTS));
                case 1 -> new PreferFailureOption();
                case 2 -> {
                    final InetAddress peer = pick(data, PEERS);
                    final int prefix = peer instanceof Inet4Address ? 96 + data.consumeInt(0, 32)
                        : data.consumeInt(0, 128);
                    yield new FilterOption(data.consumeInt(0, 9) == 0 ? 0 : prefix, pickPort(data), peer);
                }
                // short text, or about the longest a request can carry (RFC 7220; 1036 characters in a MAP)
                case 3 -> new DescriptionOption(data.consumeBoolean() ? data.consumeString(24)
                    : "d".repeat(data.consumeInt(1000, 1040)));
                case 4 -> new FlowPriorityOption(new FlowPriority(data.consumeInt(0, 63), data.consumeInt(0, 63)),
                    false);
                default -> new UnknownOption(data.consumeInt(129, 255), data.consumeBytes(8));
            });
        }
        // the client address field: mostly the source, sometimes another host (ADDRESS_MISMATCH)
        final InetAddress client = data.consumeInt(0, 7) == 0 ? pick(data, CLIENTS) : source;
        final var request = new PcpRequest(version, pickLifetime(data), client, opcodeData, options);
        // FLOW_PRIORITY under the gateway's code, or the other one (an unknown mandatory option there)
        final var codec = CODECS[gatewayA == data.consumeBoolean() ? 0 : 1];
        try {
            return codec.encode(request);
        } catch (IllegalArgumentException e) {
            // more options than 1100 bytes hold: send what fits of the bytes without options
            return codec.encode(new PcpRequest(version, request.requestedLifetime(), client, opcodeData, List.of()));
        }
    }

    private static int pickPort(final FuzzedDataProvider data) {
        return data.consumeBoolean() ? PORTS[data.consumeInt(0, PORTS.length - 1)] : data.consumeInt(0, 65535);
    }

    private static long pickLifetime(final FuzzedDataProvider data) {
        return data.consumeBoolean() ? LIFETIMES[data.consumeInt(0, LIFETIMES.length - 1)]
            : data.consumeLong(0, 0xFFFF_FFFFL);
    }

    private static <T> T pick(final FuzzedDataProvider data, final List<T> values) {
        return values.get(data.consumeInt(0, values.size() - 1));
    }

    /** Byte 3 of a PCP response, bytes 2-3 of a NAT-PMP one: the result code. */
    private static boolean isError(final byte[] answer) {
        if (answer.length >= 4 && answer[0] == 0) {
            return ByteBuffer.wrap(answer).getShort(2) != 0;
        }
        assertTrue(answer.length >= 24 && (answer[1] & 0x80) != 0, "a PCP answer is a response");
        return answer[3] != 0;
    }

    /**
     * Waits until every change queued so far is committed: the store commits its batches in order, so a change
     * queued now completes after them. An empty gateway's clear is such a change that changes nothing.
     */
    private static void settle(final Harness env) throws Exception {
        env.store.clear("fuzz-barrier", null).get(10, TimeUnit.SECONDS);
    }

    private static Map<String, Set<Mapping>> snapshot(final Harness env) {
        final var snapshot = new HashMap<String, Set<Mapping>>();
        for (var gateway : List.of(GW_A, GW_B)) {
            snapshot.put(gateway, new HashSet<>(env.store.mappings(gateway)));
        }
        return snapshot;
    }

    private static void checkInvariants(final Harness env, final Map<String, Set<Mapping>> view) throws Exception {
        for (var entry : view.entrySet()) {
            final String gateway = entry.getKey();
            final var mappings = entry.getValue();
            // the store's view is exactly what the datastore holds, and nothing else
            assertEquals(mappings, stored(env.broker, gateway), "store view of " + gateway + " vs the datastore");
            final var external = gateway.equals(GW_A) ? EXTERNAL_A : EXTERNAL_B;
            final int start = gateway.equals(GW_A) ? PORTS_A_START : PORTS_B_START;
            final int end = gateway.equals(GW_A) ? PORTS_A_END : PORTS_B_END;
            final var perHost = new HashMap<InetAddress, Integer>();
            final var list = List.copyOf(mappings);
            for (int i = 0; i < list.size(); i++) {
                final var mapping = list.get(i);
                final var key = mapping.key();
                perHost.merge(key.internalAddress(), 1, Integer::sum);
                if (key.internalAddress() instanceof Inet4Address) {
                    assertTrue(external.contains(mapping.externalAddress()), () -> "external address of " + mapping);
                    assertTrue(mapping.externalPort() == key.internalPort() && key.internalPort() == 0
                        || mapping.externalPort() >= start && mapping.externalPort() <= end,
                        () -> "external port outside the range: " + mapping);
                } else {
                    assertEquals(key.internalAddress(), mapping.externalAddress(), "an IPv6 pinhole");
                }
                // expiry works in whole seconds: a lease may outlive its end by less than one
                final var expires = mapping.expires();
                assertFalse(expires != null && !expires.isAfter(env.clock.instant().minusSeconds(1)),
                    () -> "expired lease kept after expiry ran: " + mapping);
                for (int j = i + 1; j < list.size(); j++) {
                    final var other = list.get(j);
                    assertFalse(!key.internalEndpoint().equals(other.key().internalEndpoint())
                        && overlaps(mapping, other), () -> "external endpoint held twice: " + mapping + " / " + other);
                }
            }
            if (gateway.equals(GW_A)) {
                perHost.forEach((host, count) -> assertTrue(count <= QUOTA_A, () -> host + " holds " + count));
            }
        }
    }

    // The same external address, and protocols and ports that meet (0 is "all" for both, RFC 6887 section 11.1).
    private static boolean overlaps(final Mapping one, final Mapping two) {
        final int protocolOne = one.key().protocol();
        final int protocolTwo = two.key().protocol();
        return one.externalAddress().equals(two.externalAddress())
            && (protocolOne == protocolTwo || protocolOne == 0 || protocolTwo == 0)
            && (one.externalPort() == two.externalPort() || one.externalPort() == 0 || two.externalPort() == 0);
    }

    private static Set<Mapping> stored(final DataBroker broker, final String gateway) throws Exception {
        try (var tx = broker.newReadOnlyTransaction()) {
            final var found = tx.read(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Mappings.class)
                .child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.Gateway.class,
                    new GatewayKey(new GatewayId(gateway))).build()).get(10, TimeUnit.SECONDS);
            final Set<Mapping> stored = new HashSet<>();
            found.ifPresent(entry -> {
                entry.nonnullMap().values().forEach(map -> stored.add(BindingMappings.fromBinding(gateway, map)));
                entry.nonnullPeer().values().forEach(peer -> stored.add(BindingMappings.fromBinding(gateway, peer)));
            });
            return stored;
        }
    }

    private static InetAddress ip(final String literal) {
        return InetAddresses.forString(literal);
    }
}
