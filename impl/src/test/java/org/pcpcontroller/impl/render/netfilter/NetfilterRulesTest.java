/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.RuleName;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.Transport;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.RuleBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.Action;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.AcceptBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.DnatBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.SetDscpBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.SnatBuilder;
import org.opendaylight.yangtools.yang.common.Empty;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;

class NetfilterRulesTest {
    // The pattern and length of typedef rule-name in pcp-netfilter@2026-11-23.yang.
    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9._:/-]+");
    private static final int RULE_NAME_MAX = 200;

    private static final InetAddress EXT = ip("192.0.3.1");
    private static final InetAddress HOST = ip("10.0.0.2");
    private static final InetAddress PEER = ip("192.0.3.2");
    private static final InetAddress HOST6 = ip("2001:db8::2");
    private static final InetAddress PEER6 = ip("2001:db8:1::9");

    // ---- expected rules, spelled out with the generated builders ----

    private static InetAddress ip(final String text) {
        return InetAddresses.forString(text);
    }

    private static PortNumber port(final int port) {
        return new PortNumber(Uint16.valueOf(port));
    }

    private static MatchBuilder match(final Transport protocol) {
        return new MatchBuilder().setProtocol(protocol);
    }

    // The expected rule of a mapping made by mapping(...), whose lease ends an hour after the epoch.
    private static Rule rule(final String name, final String mapping, final Rule.Family family, final Rule.Hook hook,
            final MatchBuilder match, final Action action) {
        return new RuleBuilder().setName(new RuleName(name)).setMapping(mapping).setFamily(family).setHook(hook)
            .setMatch(match.build()).setAction(action).setExpires(new DateAndTime("1970-01-01T01:00:00Z")).build();
    }

    private static Action dnat(final String address, final @Nullable Integer toPort) {
        return new DnatBuilder().setDnat(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter
            .rev261123.netfilter.rule.action.dnat.DnatBuilder()
            .setToAddress(IetfInetUtil.ipAddressFor(address))
            .setToPort(toPort == null ? null : port(toPort))
            .build()).build();
    }

    private static Action snat(final String address, final @Nullable Integer toPort) {
        return new SnatBuilder().setSnat(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter
            .rev261123.netfilter.rule.action.snat.SnatBuilder()
            .setToAddress(IetfInetUtil.ipAddressFor(address))
            .setToPort(toPort == null ? null : port(toPort))
            .build()).build();
    }

    private static Action accept() {
        return new AcceptBuilder().setAccept(Empty.value()).build();
    }

    private static Action setDscp(final int dscp) {
        return new SetDscpBuilder().setSetDscp(new Dscp(Uint8.valueOf(dscp))).build();
    }

    // ---- mappings ----

    private static Mapping mapping(final MappingKey key, final InetAddress external, final int externalPort,
            final @Nullable FlowPriority priority, final List<Filter> filters) {
        return new Mapping(key, external, externalPort, Origin.PCP, null, null, Instant.EPOCH,
            Instant.EPOCH.plusSeconds(3600), null, priority, filters);
    }

    private static Mapping map(final int protocol, final InetAddress internal, final int internalPort,
            final InetAddress external, final int externalPort, final Filter... filters) {
        return mapping(new MappingKey.Map("gw1", protocol, internal, internalPort), external, externalPort, null,
            List.of(filters));
    }

    private static Mapping peer(final int protocol, final InetAddress internal, final int internalPort,
            final InetAddress remote, final int remotePort, final InetAddress external, final int externalPort) {
        return mapping(new MappingKey.Peer("gw1", protocol, internal, internalPort, remote, remotePort), external,
            externalPort, null, List.of());
    }

    private static Mapping withPriority(final Mapping mapping, final int up, final int down) {
        return new Mapping(mapping.key(), mapping.externalAddress(), mapping.externalPort(), mapping.origin(),
            mapping.clientAddress(), mapping.nonce(), mapping.created(), mapping.expires(), mapping.description(),
            new FlowPriority(up, down), mapping.filters());
    }

    private static List<Rule> render(final Mapping mapping) {
        return NetfilterRules.render(mapping, true);
    }

    private static List<String> names(final List<Rule> rules) {
        return rules.stream().map(rule -> rule.requireName().getValue()).toList();
    }

    // ---- MAP ----

    @Test
    void mapIpv4IsDnatPlusForwardAccept() {
        final var label = "MAP udp 10.0.0.2:5000";
        assertEquals(List.of(
            rule("map/udp/10.0.0.2/5000/accept", label, Rule.Family.Ipv4, Rule.Hook.Forward,
                match(Transport.Udp).setDestinationAddress(IetfInetUtil.ipAddressFor("10.0.0.2"))
                    .setDestinationPort(port(5000)), accept()),
            rule("map/udp/10.0.0.2/5000/dnat", label, Rule.Family.Ipv4, Rule.Hook.Prerouting,
                match(Transport.Udp).setDestinationAddress(IetfInetUtil.ipAddressFor("192.0.3.1"))
                    .setDestinationPort(port(40000)), dnat("10.0.0.2", 5000))),
            render(map(17, HOST, 5000, EXT, 40000)));
    }

    @Test
    void mapIpv4AllProtocolsHasNoPorts() {
        final var label = "MAP all 10.0.0.2:0";
        assertEquals(List.of(
            rule("map/all/10.0.0.2/0/accept", label, Rule.Family.Ipv4, Rule.Hook.Forward,
                match(Transport.All).setDestinationAddress(IetfInetUtil.ipAddressFor("10.0.0.2")), accept()),
            rule("map/all/10.0.0.2/0/dnat", label, Rule.Family.Ipv4, Rule.Hook.Prerouting,
                match(Transport.All).setDestinationAddress(IetfInetUtil.ipAddressFor("192.0.3.1")),
                dnat("10.0.0.2", null))),
            render(map(0, HOST, 0, EXT, 0)));
    }

    @Test
    void mapIpv4AllPortsOfOneProtocolHasNoPorts() {
        final var label = "MAP tcp 10.0.0.2:0";
        assertEquals(List.of(
            rule("map/tcp/10.0.0.2/0/accept", label, Rule.Family.Ipv4, Rule.Hook.Forward,
                match(Transport.Tcp).setDestinationAddress(IetfInetUtil.ipAddressFor("10.0.0.2")), accept()),
            rule("map/tcp/10.0.0.2/0/dnat", label, Rule.Family.Ipv4, Rule.Hook.Prerouting,
                match(Transport.Tcp).setDestinationAddress(IetfInetUtil.ipAddressFor("192.0.3.1")),
                dnat("10.0.0.2", null))),
            render(map(6, HOST, 0, EXT, 0)));
    }

    @Test
    void mapIpv4FiltersRestrictTheSourceOfBothRules() {
        final var label = "MAP tcp 10.0.0.2:22";
        final var net = IetfInetUtil.ipPrefixFor("198.51.100.0/24");
        final var peer = IetfInetUtil.ipPrefixFor("192.0.3.2/32");
        final var prefix = "map/tcp/10.0.0.2/22/";
        assertEquals(List.of(
            rule(prefix + "from/192.0.3.2/32/6000/accept", label, Rule.Family.Ipv4, Rule.Hook.Forward,
                match(Transport.Tcp).setSourcePrefix(peer).setSourcePort(port(6000))
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("10.0.0.2")).setDestinationPort(port(22)),
                accept()),
            rule(prefix + "from/192.0.3.2/32/6000/dnat", label, Rule.Family.Ipv4, Rule.Hook.Prerouting,
                match(Transport.Tcp).setSourcePrefix(peer).setSourcePort(port(6000))
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("192.0.3.1")).setDestinationPort(port(2222)),
                dnat("10.0.0.2", 22)),
            // the host bits of 198.51.100.77/24 are cleared; port 0 means any source port
            rule(prefix + "from/198.51.100.0/24/0/accept", label, Rule.Family.Ipv4, Rule.Hook.Forward,
                match(Transport.Tcp).setSourcePrefix(net)
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("10.0.0.2")).setDestinationPort(port(22)),
                accept()),
            rule(prefix + "from/198.51.100.0/24/0/dnat", label, Rule.Family.Ipv4, Rule.Hook.Prerouting,
                match(Transport.Tcp).setSourcePrefix(net)
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("192.0.3.1")).setDestinationPort(port(2222)),
                dnat("10.0.0.2", 22))),
            render(map(6, HOST, 22, EXT, 2222, new Filter(ip("198.51.100.77"), 24, 0),
                new Filter(PEER, 32, 6000))));
    }

    @Test
    void filterOrderAndHostBitsDoNotChangeTheRules() {
        final var one = map(6, HOST, 22, EXT, 2222, new Filter(ip("198.51.100.77"), 24, 0),
            new Filter(PEER, 32, 6000));
        final var other = map(6, HOST, 22, EXT, 2222, new Filter(PEER, 32, 6000),
            new Filter(ip("198.51.100.1"), 24, 0), new Filter(ip("198.51.100.200"), 24, 0));
        assertEquals(render(one), render(other));
        assertEquals(4, render(other).size());
    }

    @Test
    void filterOfMappingWithoutProtocolHasNoSourcePort() {
        final var rules = render(map(0, HOST, 0, EXT, 0, new Filter(PEER, 32, 6000)));
        assertEquals(List.of("map/all/10.0.0.2/0/from/192.0.3.2/32/6000/accept",
            "map/all/10.0.0.2/0/from/192.0.3.2/32/6000/dnat"), names(rules));
        rules.forEach(rule -> assertNull(rule.nonnullMatch().getSourcePort()));
    }

    @Test
    void mapIpv6IsOnlyAPinhole() {
        assertEquals(List.of(
            rule("map/udp/2001:db8::2/5000/accept", "MAP udp [2001:db8::2]:5000", Rule.Family.Ipv6,
                Rule.Hook.Forward, match(Transport.Udp).setDestinationAddress(IetfInetUtil.ipAddressFor("2001:db8::2"))
                    .setDestinationPort(port(5000)), accept())),
            render(map(17, HOST6, 5000, HOST6, 5000)));
    }

    @Test
    void mapIpv6FiltersRestrictThePinhole() {
        assertEquals(List.of(
            rule("map/udp/2001:db8::2/5000/from/2001:db8:1::/48/0/accept", "MAP udp [2001:db8::2]:5000",
                Rule.Family.Ipv6, Rule.Hook.Forward,
                match(Transport.Udp).setSourcePrefix(IetfInetUtil.ipPrefixFor("2001:db8:1::/48"))
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("2001:db8::2")).setDestinationPort(port(5000)),
                accept())),
            render(map(17, HOST6, 5000, HOST6, 5000, new Filter(PEER6, 48, 0))));
    }

    // ---- PEER ----

    @Test
    void peerIpv4IsOneSnat() {
        assertEquals(List.of(
            rule("peer/udp/10.0.0.2/5000/192.0.3.2/6000/snat", "PEER udp 10.0.0.2:5000 -> 192.0.3.2:6000",
                Rule.Family.Ipv4, Rule.Hook.Postrouting,
                match(Transport.Udp).setSourcePrefix(IetfInetUtil.ipPrefixFor("10.0.0.2/32"))
                    .setSourcePort(port(5000))
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("192.0.3.2")).setDestinationPort(port(6000)),
                snat("192.0.3.1", 40001))),
            render(peer(17, HOST, 5000, PEER, 6000, EXT, 40001)));
    }

    @Test
    void peerIpv6RendersNothingWithoutDscp() {
        assertEquals(List.of(), render(peer(6, HOST6, 5000, PEER6, 443, HOST6, 5000)));
    }

    // ---- DSCP ----

    @Test
    void mapDscpMarksBothDirectionsInForward() {
        final var label = "MAP udp 10.0.0.2:5000";
        final var mapping = withPriority(map(17, HOST, 5000, EXT, 40000), 46, 34);
        final var rules = render(mapping);
        assertEquals(List.of("map/udp/10.0.0.2/5000/accept", "map/udp/10.0.0.2/5000/dnat",
            "map/udp/10.0.0.2/5000/dscp-down", "map/udp/10.0.0.2/5000/dscp-up"), names(rules));
        assertEquals(rule("map/udp/10.0.0.2/5000/dscp-down", label, Rule.Family.Ipv4, Rule.Hook.Forward,
            match(Transport.Udp).setDestinationAddress(IetfInetUtil.ipAddressFor("10.0.0.2"))
                .setDestinationPort(port(5000)), setDscp(34)), rules.get(2));
        assertEquals(rule("map/udp/10.0.0.2/5000/dscp-up", label, Rule.Family.Ipv4, Rule.Hook.Forward,
            match(Transport.Udp).setSourcePrefix(IetfInetUtil.ipPrefixFor("10.0.0.2/32"))
                .setSourcePort(port(5000)), setDscp(46)), rules.get(3));
        // not asked to render DSCP, or no FLOW_PRIORITY: no marking
        assertEquals(render(map(17, HOST, 5000, EXT, 40000)), NetfilterRules.render(mapping, false));
    }

    @Test
    void peerDscpMatchesTheRemotePeerToo() {
        final var label = "PEER tcp [2001:db8::2]:5000 -> [2001:db8:1::9]:443";
        final var prefix = "peer/tcp/2001:db8::2/5000/2001:db8:1::9/443/";
        assertEquals(List.of(
            rule(prefix + "dscp-down", label, Rule.Family.Ipv6, Rule.Hook.Forward,
                match(Transport.Tcp).setSourcePrefix(IetfInetUtil.ipPrefixFor("2001:db8:1::9/128"))
                    .setSourcePort(port(443))
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("2001:db8::2")).setDestinationPort(port(5000)),
                setDscp(0)),
            rule(prefix + "dscp-up", label, Rule.Family.Ipv6, Rule.Hook.Forward,
                match(Transport.Tcp).setSourcePrefix(IetfInetUtil.ipPrefixFor("2001:db8::2/128"))
                    .setSourcePort(port(5000))
                    .setDestinationAddress(IetfInetUtil.ipAddressFor("2001:db8:1::9")).setDestinationPort(port(443)),
                setDscp(10))),
            render(withPriority(peer(6, HOST6, 5000, PEER6, 443, HOST6, 5000), 10, 0)));
    }

    @Test
    void peerIpv4DscpComesWithTheSnat() {
        assertEquals(List.of("peer/udp/10.0.0.2/5000/192.0.3.2/6000/dscp-down",
            "peer/udp/10.0.0.2/5000/192.0.3.2/6000/dscp-up", "peer/udp/10.0.0.2/5000/192.0.3.2/6000/snat"),
            names(render(withPriority(peer(17, HOST, 5000, PEER, 6000, EXT, 40001), 46, 46))));
    }

    // ---- what cannot be rendered ----

    @Test
    void unrenderableMappingsAreRefused() {
        final var icmp = map(1, HOST, 0, EXT, 0);
        final var nat46 = map(17, HOST, 5000, HOST6, 5000);
        final var noExternalPort = map(17, HOST, 5000, EXT, 0);
        for (var mapping : List.of(icmp, nat46, noExternalPort)) {
            assertFalse(NetfilterRules.canRender(mapping), mapping.toString());
            assertThrows(IllegalArgumentException.class, () -> render(mapping));
        }
        assertTrue(NetfilterRules.canRender(map(17, HOST, 5000, EXT, 40000)));
    }

    @Test
    void zoneOfAnAddressIsDropped() throws UnknownHostException {
        final var scoped = Inet6Address.getByAddress(null, ip("fe80::2").getAddress(), 3);
        final var rules = render(map(17, scoped, 5000, scoped, 5000));
        assertEquals(List.of("map/udp/fe80::2/5000/accept"), names(rules));
        assertEquals("MAP udp [fe80::2]:5000", rules.get(0).getMapping());
    }

    // ---- stability, uniqueness, names ----

    @Test
    void renderingIsStableAndIgnoresLeaseDataButTheLeaseEnd() {
        final var key = new MappingKey.Map("gw1", 17, HOST, 5000);
        final var filters = List.of(new Filter(PEER, 32, 0));
        final var one = new Mapping(key, EXT, 40000, Origin.PCP, null, Nonce.ofHex("0102030405060708090a0b0c"),
            Instant.EPOCH, Instant.EPOCH.plusSeconds(60), "first", new FlowPriority(46, 0), filters);
        final var other = new Mapping(key, EXT, 40000, Origin.OPERATOR, HOST, null, Instant.EPOCH.plusSeconds(99),
            Instant.EPOCH.plusSeconds(60), "another description", new FlowPriority(46, 0), filters);
        assertEquals(render(one), render(one));
        assertEquals(render(one), render(other));
        // the assigned external endpoint changes the rules but not their names
        final var moved = new Mapping(key, ip("192.0.3.7"), 40001, Origin.PCP, null, null, Instant.EPOCH, null, null,
            new FlowPriority(46, 0), filters);
        assertEquals(names(render(one)), names(render(moved)));
    }

    @Test
    void everyRuleCarriesTheLeaseEndInWholeSeconds() {
        final var leased = map(17, HOST, 5000, EXT, 40000)
            .withExpires(Instant.parse("2026-12-05T10:00:00.999Z"));
        final var rules = NetfilterRules.render(leased, false);
        assertEquals(2, rules.size());
        for (var rule : rules) {
            assertEquals("2026-12-05T10:00:00Z", rule.requireExpires().getValue());
        }
    }

    @Test
    void aStaticMappingHasNoLeaseEnd() {
        final var rules = NetfilterRules.render(map(17, HOST, 5000, EXT, 40000).withExpires(null), true);
        assertFalse(rules.isEmpty());
        rules.forEach(rule -> assertNull(rule.getExpires()));
    }

    @Test
    void aRefreshReplacesTheRulesWithOnlyTheLeaseEndChanged() {
        final var mapping = map(17, HOST, 5000, EXT, 40000);
        final var refreshed = mapping.withExpires(mapping.expires().plusSeconds(3600));
        final var before = NetfilterRules.renderAll(List.of(mapping), true);
        final var after = NetfilterRules.renderAll(List.of(refreshed), true);
        final var diff = NetfilterRules.diff(after, before);
        assertEquals(List.of(), diff.delete());
        assertEquals(before.keySet(), diff.put().keySet());
        diff.put().forEach((name, rule) -> {
            assertEquals(NetfilterRules.expires(refreshed.expires()), rule.getExpires());
            assertEquals(new RuleBuilder(before.get(name)).setExpires(rule.getExpires()).build(), rule);
        });
        // rendering the refreshed mapping again is no change
        assertTrue(NetfilterRules.diff(after, NetfilterRules.renderAll(List.of(refreshed), true)).isEmpty());
    }

    @Test
    void namesStartWithTheMappingPrefix() {
        final var map = map(17, HOST, 5000, EXT, 40000);
        final var peer = peer(17, HOST, 5000, PEER, 6000, EXT, 40001);
        assertEquals("map/udp/10.0.0.2/5000/", NetfilterRules.mappingPrefix(map.key()));
        assertEquals("peer/udp/10.0.0.2/5000/192.0.3.2/6000/", NetfilterRules.mappingPrefix(peer.key()));
        for (var mapping : List.of(map, peer)) {
            final var prefix = NetfilterRules.mappingPrefix(mapping.key());
            render(withPriority(mapping, 1, 2)).forEach(rule -> assertTrue(
                rule.requireName().getValue().startsWith(prefix), rule.requireName().getValue()));
        }
        // port 5000's prefix does not select port 50000's rules
        final var longer = map(17, HOST, 50000, EXT, 50000);
        render(longer).forEach(rule -> assertFalse(rule.requireName().getValue()
            .startsWith(NetfilterRules.mappingPrefix(map.key()))));
    }

    @Test
    void randomMappingsNeverShareRuleNames() {
        final var random = new Random(20261123);
        final int[] protocols = {0, 6, 17, 33, 132, 136};
        // small spaces, so that near-collisions (same address, neighbouring ports, prefixes of ports) are common
        final var v4 = new InetAddress[] {ip("10.0.0.2"), ip("10.0.0.20"), ip("10.0.0.200"), ip("10.0.2.0")};
        final var v6 = new InetAddress[] {ip("2001:db8::2"), ip("2001:db8::20"), ip("2001:db8:0:2::"),
            ip("2001:db8::2:0"), ip("::ffff:0:a00:2")};
        final var keys = new LinkedHashMap<MappingKey, Mapping>();
        while (keys.size() < 10_000) {
            final boolean ipv4 = random.nextBoolean();
            final var hosts = ipv4 ? v4 : v6;
            final int protocol = protocols[random.nextInt(protocols.length)];
            final int internalPort = protocol == 0 || random.nextInt(10) == 0 ? 0 : randomPort(random);
            final int externalPort = internalPort == 0 ? 0 : randomPort(random);
            final var internal = hosts[random.nextInt(hosts.length)];
            final var external = ipv4 ? EXT : internal;
            final var priority = random.nextBoolean() ? new FlowPriority(random.nextInt(64), random.nextInt(64))
                : null;
            final MappingKey key;
            final var filters = new ArrayList<Filter>();
            if (random.nextBoolean()) {
                key = new MappingKey.Map("gw1", protocol, internal, internalPort);
                for (int i = random.nextInt(3); i > 0; i--) {
                    final var remote = hosts[random.nextInt(hosts.length)];
                    final int max = ipv4 ? 32 : 128;
                    filters.add(new Filter(remote, random.nextInt(max + 1), randomPort(random)));
                }
            } else {
                key = new MappingKey.Peer("gw1", protocol, internal, internalPort,
                    hosts[random.nextInt(hosts.length)], protocol == 0 ? 0 : randomPort(random));
            }
            keys.putIfAbsent(key, new Mapping(key, external, externalPort, Origin.PCP, null, null, Instant.EPOCH,
                null, null, priority, filters));
        }
        // throws IllegalStateException on a duplicate name
        final var rules = NetfilterRules.renderAll(keys.values(), true);

        final var prefixes = new HashMap<String, MappingKey>();
        keys.keySet().forEach(key -> assertNull(prefixes.put(NetfilterRules.mappingPrefix(key), key)));
        final var seen = new HashSet<String>();
        for (var mapping : keys.values()) {
            for (var rule : NetfilterRules.render(mapping, true)) {
                final var name = rule.requireName().getValue();
                assertTrue(seen.add(name), name);
                assertTrue(RULE_NAME.matcher(name).matches(), name);
                assertTrue(name.length() <= RULE_NAME_MAX, name);
                assertEquals(rule, rules.get(name));
                // exactly one mapping prefix leads to this name: its own
                final var owners = new ArrayList<MappingKey>();
                for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
                    final var owner = prefixes.get(name.substring(0, i + 1));
                    if (owner != null) {
                        owners.add(owner);
                    }
                }
                assertEquals(List.of(mapping.key()), owners, name);
            }
        }
        assertEquals(seen.size(), rules.size());
    }

    private static int randomPort(final Random random) {
        // mostly a few ports that are prefixes of each other, sometimes any port
        final int[] ports = {1, 5, 50, 500, 5000, 50000, 65535};
        return random.nextInt(4) == 0 ? 1 + random.nextInt(65535) : ports[random.nextInt(ports.length)];
    }

    @Test
    void longestNamesFitTheModel() {
        final var internal = ip("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
        final var remote = ip("2001:db8:1111:2222:3333:4444:5555:6666");
        final var peer = withPriority(peer(136, internal, 65535, remote, 65535, internal, 65535), 1, 1);
        final var map = withPriority(map(136, internal, 65535, internal, 65535, new Filter(remote, 127, 65535)),
            1, 1);
        for (var mapping : List.of(peer, map)) {
            for (var rule : render(mapping)) {
                final var name = rule.requireName().getValue();
                assertTrue(RULE_NAME.matcher(name).matches(), name);
                // also within nft's 128-byte comment, so pcp-nft-apply never has to shorten it
                assertTrue(name.length() <= 128, name);
                assertTrue(rule.requireMapping().length() <= 200);
            }
        }
    }

    @Test
    void renderAllRefusesDuplicatesAndMixedGateways() {
        final var mapping = map(17, HOST, 5000, EXT, 40000);
        final var refreshed = mapping.withExpires(Instant.EPOCH.plusSeconds(7200));
        assertThrows(IllegalStateException.class, () -> NetfilterRules.renderAll(List.of(mapping, refreshed), false));
        final var otherGateway = mapping(new MappingKey.Map("gw2", 17, HOST, 6000), EXT, 40001, null, List.of());
        assertThrows(IllegalArgumentException.class,
            () -> NetfilterRules.renderAll(List.of(mapping, otherGateway), false));
        assertEquals(List.of("map/udp/10.0.0.2/5000/accept", "map/udp/10.0.0.2/5000/dnat"),
            List.copyOf(NetfilterRules.renderAll(List.of(mapping), false).keySet()));
    }

    // ---- diff ----

    private static Map<String, Rule> rulesOf(final Mapping... mappings) {
        return NetfilterRules.renderAll(List.of(mappings), true);
    }

    @Test
    void identicalRulesGiveAnEmptyDiff() {
        final var wanted = rulesOf(map(17, HOST, 5000, EXT, 40000), peer(17, HOST, 5000, PEER, 6000, EXT, 40000));
        // separately built objects, equal by value
        final var actual = rulesOf(map(17, HOST, 5000, EXT, 40000), peer(17, HOST, 5000, PEER, 6000, EXT, 40000));
        final var diff = NetfilterRules.diff(wanted, new HashMap<>(actual));
        assertTrue(diff.isEmpty(), diff.toString());
        assertTrue(NetfilterRules.diff(Map.of(), Map.of()).isEmpty());
    }

    @Test
    void missingRulesArePut() {
        final var wanted = rulesOf(map(17, HOST, 5000, EXT, 40000));
        final var actual = new HashMap<>(wanted);
        actual.remove("map/udp/10.0.0.2/5000/dnat");
        final var diff = NetfilterRules.diff(wanted, actual);
        assertEquals(Map.of("map/udp/10.0.0.2/5000/dnat", wanted.get("map/udp/10.0.0.2/5000/dnat")), diff.put());
        assertEquals(List.of(), diff.delete());
    }

    @Test
    void changedRulesAreReplaced() {
        final var wanted = rulesOf(map(17, HOST, 5000, EXT, 40000));
        // the same mapping once had another external port: same names, the DNAT differs
        final var actual = rulesOf(map(17, HOST, 5000, EXT, 40001));
        final var diff = NetfilterRules.diff(wanted, actual);
        assertEquals(List.of("map/udp/10.0.0.2/5000/dnat"), List.copyOf(diff.put().keySet()));
        assertEquals(wanted.get("map/udp/10.0.0.2/5000/dnat"), diff.put().get("map/udp/10.0.0.2/5000/dnat"));
        assertEquals(List.of(), diff.delete());
    }

    @Test
    void strayRulesAreDeleted() {
        final var wanted = rulesOf(map(17, HOST, 5000, EXT, 40000));
        final var actual = new HashMap<>(rulesOf(map(17, HOST, 5000, EXT, 40000),
            withPriority(peer(17, HOST, 5000, PEER, 6000, EXT, 40000), 1, 1)));
        final var diff = NetfilterRules.diff(wanted, actual);
        assertEquals(Map.of(), diff.put());
        assertEquals(List.of("peer/udp/10.0.0.2/5000/192.0.3.2/6000/dscp-down",
            "peer/udp/10.0.0.2/5000/192.0.3.2/6000/dscp-up", "peer/udp/10.0.0.2/5000/192.0.3.2/6000/snat"),
            diff.delete());
    }

    @Test
    void defaultProtocolLeftOutByTheServerIsNoChange() {
        final var wanted = rulesOf(map(0, HOST, 0, EXT, 0));
        final var actual = new HashMap<String, Rule>();
        wanted.forEach((name, rule) -> actual.put(name, new RuleBuilder(rule)
            .setMatch(new MatchBuilder(rule.nonnullMatch()).setProtocol(null).build()).build()));
        assertNotEquals(wanted, actual);
        assertTrue(NetfilterRules.diff(wanted, actual).isEmpty());
    }

    @Test
    void diffRefusesMisKeyedRules() {
        final var wanted = rulesOf(map(17, HOST, 5000, EXT, 40000));
        final var rule = wanted.get("map/udp/10.0.0.2/5000/dnat");
        assertThrows(IllegalArgumentException.class, () -> NetfilterRules.diff(Map.of("other", rule), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> NetfilterRules.diff(Map.of(), Map.of("other", rule)));
    }

    @Test
    void diffMakesActualEqualWanted() {
        final var wanted = rulesOf(map(17, HOST, 5000, EXT, 40000), map(6, HOST6, 443, HOST6, 443));
        final var actual = new HashMap<>(rulesOf(map(17, HOST, 5000, EXT, 40001),
            peer(17, HOST, 5000, PEER, 6000, EXT, 40000)));
        final var diff = NetfilterRules.diff(wanted, actual);
        diff.delete().forEach(actual::remove);
        actual.putAll(diff.put());
        assertEquals(wanted, actual);
        assertEquals(Set.of(), Set.copyOf(NetfilterRules.diff(wanted, actual).delete()));
    }
}
