/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpPrefix;
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
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.store.BindingMappings;

/**
 * The pure part of the NETCONF netfilter renderer: turns mappings into the {@code pcp-netfilter} rules
 * ({@code /netfilter/rule}) that the reference gateway ({@code gateway/pcp-nft-apply}) puts into nftables, and
 * computes what a reconcile has to change on a gateway. Nothing here talks to NETCONF or the datastore.
 *
 * <p>The rules are the generated binding {@link Rule} objects themselves, built with the generated builders, so
 * that a renderer can write them as they are and compare them by value with what it reads back from the gateway.
 *
 * <h2>What a mapping renders to</h2>
 * The gateway is a NAT: its external addresses are on the WAN, the internal hosts on the LAN.
 * <ul>
 *   <li><b>MAP, IPv4</b>: a prerouting DNAT of external address:port to the internal endpoint, and a forward
 *       ACCEPT of the internal endpoint (the forward hook sees the packet after DNAT). With FILTER options, one
 *       such pair per filter, each matching the filter's remote prefix (and port) as source.</li>
 *   <li><b>MAP, IPv6</b>: no NAT; one forward ACCEPT (pinhole) of the internal endpoint per filter, or one without
 *       filters. The external endpoint is not used: there is nothing to translate.</li>
 *   <li><b>PEER, IPv4</b>: a postrouting SNAT of the exact 5-tuple to the external address:port. No forward
 *       ACCEPT: outbound LAN-to-WAN traffic is allowed by the gateway's own policy, and the return direction is
 *       {@code ct state established} there (docs/gateway.md). An ACCEPT of the return direction could never match
 *       anything new: without conntrack state a packet to the external address:port is not translated, so it is
 *       addressed to the gateway itself and never reaches the forward hook.</li>
 *   <li><b>PEER, IPv6</b>: nothing (except DSCP marking). Without NAT there is nothing to rewrite, the outbound
 *       direction is allowed and the return direction is established, as for IPv4.</li>
 *   <li><b>FLOW_PRIORITY</b> (when asked to render DSCP): a set-dscp rule per direction, both in the forward
 *       hook; see {@link #render(Mapping, boolean)} for why forward works for both directions.</li>
 * </ul>
 * Protocol {@code all} or internal port 0 ("all ports") render without any port match or port rewrite, because
 * the gateway cannot match a port without a protocol and an all-ports mapping keeps the ports as they are.
 *
 * <h2>Rule names</h2>
 * A rule's name is {@link #mappingPrefix(MappingKey)} followed by its role, for example
 * {@code map/udp/10.0.0.2/5000/dnat}, {@code map/udp/10.0.0.2/5000/from/192.0.3.0/24/0/accept} or
 * {@code peer/udp/10.0.0.2/5000/192.0.3.2/6000/snat}. It derives from the mapping key (without the gateway, since
 * every gateway has its own rule list) and the role only, never from expiry, nonce, description or the assigned
 * external endpoint, so re-rendering a mapping gives the same rules under the same names. Addresses never contain
 * {@code /}, so a name splits into its segments in exactly one way, which makes names of different mappings
 * different.
 *
 * <h2>Leases</h2>
 * Every rule of a mapping with a lease carries its absolute end in {@code expires} ({@link #expires(Instant)}: UTC,
 * whole seconds), so that the gateway's kernel ends the rule at lease end even when the controller is gone. A
 * refresh of the mapping changes this leaf and nothing else, so it replaces the rules with ones that differ only in
 * {@code expires}. A static mapping's rules have no {@code expires}.
 *
 * <p>Every rule carries the readable key in its {@code mapping} leaf ({@link #mappingLabel(MappingKey)}) and no
 * {@code comment}: the comment would only repeat lease data such as the description, and a rule that changes with
 * it would be rewritten on the gateway without any change to the traffic it handles.
 */
public final class NetfilterRules {
    // Roles: the last segment of a rule name.
    private static final String DNAT = "dnat";
    private static final String ACCEPT = "accept";
    private static final String SNAT = "snat";
    private static final String DSCP_UP = "dscp-up";
    private static final String DSCP_DOWN = "dscp-down";
    // Marks the filter segments of a MAP rule name: from/<prefix address>/<prefix length>/<port>/<role>.
    private static final String FROM = "from";

    private NetfilterRules() {
        // utility class
    }

    /**
     * What a reconcile must do to make a gateway's rules exactly the wanted ones.
     *
     * @param put rules to create or replace, by name, in name order
     * @param delete names of rules to delete, in name order
     */
    public record Diff(SortedMap<String, Rule> put, List<String> delete) {
        public Diff {
            put = Collections.unmodifiableSortedMap(new TreeMap<>(put));
            delete = delete.stream().sorted().toList();
        }

        /**
         * Whether the gateway already has exactly the wanted rules.
         */
        public boolean isEmpty() {
            return put.isEmpty() && delete.isEmpty();
        }
    }

    /**
     * The name prefix that all rules of a mapping share, and no rule of another mapping of the same gateway starts
     * with: {@code map/<protocol>/<internal address>/<internal port>/} or
     * {@code peer/<protocol>/<internal address>/<internal port>/<remote address>/<remote port>/}. The trailing slash
     * keeps port 5000's prefix from matching port 50000's names.
     *
     * @throws IllegalArgumentException for a protocol that pcp-netfilter cannot express
     */
    public static String mappingPrefix(final MappingKey key) {
        final var sb = new StringBuilder(96);
        sb.append(key instanceof MappingKey.Peer ? "peer/" : "map/")
            .append(transport(key.protocol()).getName()).append('/')
            .append(text(key.internalAddress())).append('/')
            .append(key.internalPort()).append('/');
        if (key instanceof MappingKey.Peer peer) {
            sb.append(text(peer.remotePeerAddress())).append('/').append(peer.remotePeerPort()).append('/');
        }
        return sb.toString();
    }

    /**
     * The value of the rules' {@code mapping} leaf: the mapping key as operators read it, without the gateway, e.g.
     * {@code MAP udp 10.0.0.2:5000} or {@code PEER tcp [2001:db8::2]:5000 -> [2001:db8:1::9]:443}.
     */
    public static String mappingLabel(final MappingKey key) {
        final var sb = new StringBuilder(96);
        sb.append(key instanceof MappingKey.Peer ? "PEER " : "MAP ")
            .append(protocolName(key.protocol())).append(' ')
            .append(InetAddresses.toUriString(unscoped(key.internalAddress()))).append(':').append(key.internalPort());
        if (key instanceof MappingKey.Peer peer) {
            sb.append(" -> ").append(InetAddresses.toUriString(unscoped(peer.remotePeerAddress()))).append(':')
                .append(peer.remotePeerPort());
        }
        return sb.toString();
    }

    /**
     * Whether {@link #render(Mapping, boolean)} can express the mapping. It cannot for protocols other than all,
     * TCP, UDP, DCCP, SCTP and UDP-Lite (the model's {@code transport}), for mixed address families (NAT46/64),
     * and for a port mapping without an external port. A renderer reports such mappings as failed instead of
     * rendering them.
     */
    public static boolean canRender(final Mapping mapping) {
        return problem(mapping) == null;
    }

    /**
     * The rules of one mapping, sorted by name. The list does not depend on the order of the mapping's filters;
     * filters that select the same source after their host bits are cleared render once.
     *
     * <p>DSCP marking (when {@code renderDscp} and the mapping has a FLOW_PRIORITY) goes in the forward hook for
     * both directions. Forward runs after prerouting, where DNAT (and conntrack's reverse translation of SNAT'ed
     * flows) has already rewritten the destination to the internal endpoint, and before postrouting, where SNAT
     * or masquerading will rewrite the source. So in forward, upstream packets have the internal endpoint as
     * source and downstream packets have it as destination, on a NAT and on an IPv6 firewall alike, and one pair of
     * matches on the internal endpoint covers MAP and PEER. miniupnpd instead marks in mangle PREROUTING, and only
     * for packets arriving on the external interface: upstream packets never pass there, and downstream packets
     * still carry the external address there, so its {@code -d <internal>} match fails. The chain is a filter
     * chain at mangle priority on the gateway, so it sees every packet of the flow, not only the first. Both
     * directions are rendered whatever the values, 0 included, as the OpenFlow DSCP renderer does; a MAP's
     * marking matches the internal endpoint only (its remote peers are not known) and does not repeat the FILTER
     * options, which decide who may reach the mapping, not how its traffic is marked.
     *
     * @param mapping the mapping
     * @param renderDscp whether to render FLOW_PRIORITY as DSCP marking
     * @throws IllegalArgumentException when the mapping cannot be rendered, see {@link #canRender(Mapping)}
     */
    public static List<Rule> render(final Mapping mapping, final boolean renderDscp) {
        final var problem = problem(mapping);
        if (problem != null) {
            throw new IllegalArgumentException("Cannot render " + mapping.key() + ": " + problem);
        }
        final var rules = new Rules(mapping);
        switch (mapping.key()) {
            case MappingKey.Map map -> rules.map(map, mapping);
            case MappingKey.Peer peer -> rules.peer(peer, mapping);
        }
        final var priority = mapping.flowPriority();
        if (renderDscp && priority != null) {
            rules.dscp(mapping.key(), priority);
        }
        return rules.sorted();
    }

    /**
     * The rules of all mappings of one gateway, by name, in name order.
     *
     * @throws IllegalArgumentException when a mapping cannot be rendered, or the mappings belong to several gateways
     * @throws IllegalStateException when two rules get the same name, which is a defect (for example the same
     *     mapping key twice in {@code mappings})
     */
    public static SortedMap<String, Rule> renderAll(final Collection<Mapping> mappings, final boolean renderDscp) {
        final var result = new TreeMap<String, Rule>();
        String gateway = null;
        for (var mapping : mappings) {
            final var mappingGateway = mapping.key().gateway();
            if (gateway == null) {
                gateway = mappingGateway;
            } else if (!gateway.equals(mappingGateway)) {
                // Names leave the gateway out, so rules of two gateways could clash; they go to different places.
                throw new IllegalArgumentException("Mappings of gateways " + gateway + " and " + mappingGateway
                    + " in one rule set");
            }
            for (var rule : render(mapping, renderDscp)) {
                final var name = rule.requireName().getValue();
                final var previous = result.putIfAbsent(name, rule);
                if (previous != null) {
                    throw new IllegalStateException("Rule name " + name + " rendered twice, for "
                        + previous.getMapping() + " and " + rule.getMapping());
                }
            }
        }
        return Collections.unmodifiableSortedMap(result);
    }

    /**
     * What to create or replace and what to delete so that a gateway whose rules are {@code actual} ends up with
     * exactly {@code wanted}. Rules are compared by value, after filling in the model's default protocol
     * ({@code all}), so that a server that leaves out default values does not cause an endless replace.
     *
     * @param wanted the rules the gateway should have, by name
     * @param actual the rules the gateway has, by name; a null value is a rule the controller could not read back,
     *        which is replaced when wanted and deleted otherwise
     * @throws IllegalArgumentException when a map key differs from its rule's name
     */
    public static Diff diff(final Map<String, Rule> wanted, final Map<String, ? extends @Nullable Rule> actual) {
        checkKeys(wanted);
        checkKeys(actual);
        final var put = new TreeMap<String, Rule>();
        wanted.forEach((name, rule) -> {
            final var current = actual.get(name);
            if (current == null || !sameRule(rule, current)) {
                put.put(name, rule);
            }
        });
        final var delete = actual.keySet().stream().filter(name -> !wanted.containsKey(name)).toList();
        return new Diff(put, delete);
    }

    private static void checkKeys(final Map<String, ? extends @Nullable Rule> rules) {
        rules.forEach((name, rule) -> {
            if (rule == null) {
                return;
            }
            final var ruleName = rule.getName();
            if (ruleName == null || !name.equals(ruleName.getValue())) {
                throw new IllegalArgumentException("Rule " + ruleName + " is keyed as " + name);
            }
        });
    }

    // The model's defaults made explicit: an absent match matches anything, an absent protocol is "all".
    private static Rule normalized(final Rule rule) {
        final var match = rule.getMatch();
        if (match != null && match.getProtocol() != null) {
            return rule;
        }
        final var builder = match == null ? new MatchBuilder() : new MatchBuilder(match);
        return new RuleBuilder(rule).setMatch(builder.setProtocol(Transport.All).build()).build();
    }

    /**
     * Whether pcp-netfilter can match this protocol at all (its {@code transport} type); a mapping of any other
     * protocol (ICMP, GRE, ...) can never be rendered, whatever its addresses.
     */
    public static boolean canMatchProtocol(final int protocol) {
        return Transport.forValue(protocol) != null;
    }

    /**
     * Why {@link #render(Mapping, boolean)} cannot express the mapping, or null if it can.
     */
    static @Nullable String problem(final Mapping mapping) {
        final var key = mapping.key();
        if (Transport.forValue(key.protocol()) == null) {
            return "protocol " + key.protocol() + " is not one pcp-netfilter can match";
        }
        final boolean ipv4 = key.internalAddress() instanceof Inet4Address;
        if (mapping.externalAddress() instanceof Inet4Address != ipv4) {
            return "internal and external address families differ";
        }
        if (key instanceof MappingKey.Peer peer && peer.remotePeerAddress() instanceof Inet4Address != ipv4) {
            return "internal and remote peer address families differ";
        }
        for (var filter : mapping.filters()) {
            if (filter.remotePeerAddress() instanceof Inet4Address != ipv4) {
                return "FILTER " + filter.remotePeerAddress().getHostAddress() + " is of another address family";
            }
        }
        // An IPv4 port mapping needs the external port to match (DNAT) or to write (SNAT); IPv6 translates nothing.
        if (ipv4 && !allPorts(key) && mapping.externalPort() == 0) {
            return "no external port for internal port " + key.internalPort();
        }
        return null;
    }

    // Protocol "all" or internal port 0: the mapping covers every port, so no rule matches or rewrites a port.
    private static boolean allPorts(final MappingKey key) {
        return key.protocol() == 0 || key.internalPort() == 0;
    }

    private static Transport transport(final int protocol) {
        final var transport = Transport.forValue(protocol);
        if (transport == null) {
            throw new IllegalArgumentException("Protocol " + protocol + " cannot be expressed in pcp-netfilter");
        }
        return transport;
    }

    private static String protocolName(final int protocol) {
        final var transport = Transport.forValue(protocol);
        return transport != null ? transport.getName() : Integer.toString(protocol);
    }

    // A scope (zone) belongs to neither the name pattern nor the gateway's addresses, and does not identify a key.
    private static InetAddress unscoped(final InetAddress address) {
        if (address instanceof Inet4Address) {
            return address;
        }
        return byAddress(address.getAddress());
    }

    private static InetAddress byAddress(final byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Address of " + bytes.length + " bytes", e);
        }
    }

    // RFC 5952 text for IPv6 (lower case, shortest form), so that equal addresses give equal names.
    private static String text(final InetAddress address) {
        return InetAddresses.toAddrString(unscoped(address));
    }

    private static IpAddress ip(final InetAddress address) {
        return BindingMappings.address(unscoped(address));
    }

    private static IpPrefix host(final InetAddress address) {
        final var bytes = address.getAddress();
        return IetfInetUtil.ipPrefixFor(bytes, bytes.length * 8);
    }

    /**
     * A FILTER as a rule source: the remote prefix with its host bits cleared (nft and the model want a network
     * address; two filters naming the same network are the same source) and the remote port, 0 for any.
     */
    private record Source(InetAddress network, int prefixLength, int port) {
        static Source of(final Filter filter) {
            final var bytes = filter.remotePeerAddress().getAddress();
            for (int i = 0; i < bytes.length; i++) {
                final int keep = Math.clamp(filter.prefixLength() - i * 8L, 0, 8);
                bytes[i] &= (byte) (0xff00 >>> keep);
            }
            return new Source(byAddress(bytes), filter.prefixLength(), filter.remotePeerPort());
        }

        // Prefix length and port are always present, so the segment count of a filtered name is fixed.
        String segments() {
            return FROM + "/" + text(network) + "/" + prefixLength + "/" + port + "/";
        }

        IpPrefix prefix() {
            return IetfInetUtil.ipPrefixFor(network.getAddress(), prefixLength);
        }
    }

    /**
     * Collects the rules of one mapping.
     */
    private static final class Rules {
        private final Map<String, Rule> byName = new LinkedHashMap<>();
        private final String prefix;
        private final String label;
        private final Rule.Family family;
        private final Transport transport;
        private final @Nullable DateAndTime expires;

        Rules(final Mapping mapping) {
            final var key = mapping.key();
            prefix = mappingPrefix(key);
            label = mappingLabel(key);
            family = key.internalAddress() instanceof Inet4Address ? Rule.Family.Ipv4 : Rule.Family.Ipv6;
            transport = transport(key.protocol());
            final var end = mapping.expires();
            expires = end == null ? null : expires(end);
        }

        void map(final MappingKey.Map key, final Mapping mapping) {
            final var sources = new ArrayList<@Nullable Source>();
            if (mapping.filters().isEmpty()) {
                sources.add(null);
            } else {
                mapping.filters().forEach(filter -> sources.add(Source.of(filter)));
            }
            final boolean nat = family == Rule.Family.Ipv4;
            for (var source : sources) {
                final var role = source == null ? "" : source.segments();
                if (nat) {
                    add(role + DNAT, Rule.Hook.Prerouting,
                        match(source).setDestinationAddress(ip(mapping.externalAddress()))
                            .setDestinationPort(port(key, mapping.externalPort())),
                        new DnatBuilder().setDnat(
                            new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter
                                .rule.action.dnat.DnatBuilder()
                                .setToAddress(ip(key.internalAddress()))
                                .setToPort(port(key, key.internalPort()))
                                .build())
                            .build());
                }
                // After DNAT (or without NAT, for IPv6) the forward hook sees the internal endpoint as destination.
                add(role + ACCEPT, Rule.Hook.Forward,
                    match(source).setDestinationAddress(ip(key.internalAddress()))
                        .setDestinationPort(port(key, key.internalPort())),
                    new AcceptBuilder().setAccept(Empty.value()).build());
            }
        }

        void peer(final MappingKey.Peer key, final Mapping mapping) {
            if (family != Rule.Family.Ipv4) {
                // No NAT66: nothing to rewrite; outbound is allowed and the return direction is established.
                return;
            }
            add(SNAT, Rule.Hook.Postrouting,
                new MatchBuilder().setProtocol(transport)
                    .setSourcePrefix(host(key.internalAddress()))
                    .setSourcePort(port(key, key.internalPort()))
                    .setDestinationAddress(ip(key.remotePeerAddress()))
                    .setDestinationPort(remotePort(key.remotePeerPort())),
                new SnatBuilder().setSnat(
                    new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule
                        .action.snat.SnatBuilder()
                        .setToAddress(ip(mapping.externalAddress()))
                        .setToPort(port(key, mapping.externalPort()))
                        .build())
                    .build());
        }

        void dscp(final MappingKey key, final FlowPriority priority) {
            final var up = new MatchBuilder().setProtocol(transport)
                .setSourcePrefix(host(key.internalAddress()))
                .setSourcePort(port(key, key.internalPort()));
            final var down = new MatchBuilder().setProtocol(transport)
                .setDestinationAddress(ip(key.internalAddress()))
                .setDestinationPort(port(key, key.internalPort()));
            if (key instanceof MappingKey.Peer peer) {
                up.setDestinationAddress(ip(peer.remotePeerAddress()))
                    .setDestinationPort(remotePort(peer.remotePeerPort()));
                down.setSourcePrefix(host(peer.remotePeerAddress()))
                    .setSourcePort(remotePort(peer.remotePeerPort()));
            }
            add(DSCP_UP, Rule.Hook.Forward, up, setDscp(priority.dscpUp()));
            add(DSCP_DOWN, Rule.Hook.Forward, down, setDscp(priority.dscpDown()));
        }

        private MatchBuilder match(final @Nullable Source source) {
            final var match = new MatchBuilder().setProtocol(transport);
            if (source != null) {
                match.setSourcePrefix(source.prefix()).setSourcePort(remotePort(source.port()));
            }
            return match;
        }

        // A port of the mapping's own endpoints: none when the mapping covers all ports.
        private static @Nullable PortNumber port(final MappingKey key, final int port) {
            return allPorts(key) ? null : BindingMappings.port(port);
        }

        // A remote port: 0 means any port, and protocol "all" has no ports the gateway could match.
        private @Nullable PortNumber remotePort(final int port) {
            return port == 0 || transport == Transport.All ? null : BindingMappings.port(port);
        }

        private static Action setDscp(final int dscp) {
            return new SetDscpBuilder().setSetDscp(new Dscp(Uint8.valueOf(dscp))).build();
        }

        private void add(final String role, final Rule.Hook hook, final MatchBuilder match, final Action action) {
            final var name = prefix + role;
            final var rule = new RuleBuilder()
                .setName(new RuleName(name))
                .setMapping(label)
                .setFamily(family)
                .setHook(hook)
                .setMatch(match.build())
                .setAction(action)
                .setExpires(expires)
                .build();
            // Filters with the same network and port give identical rules under one name: keep one.
            final var previous = byName.putIfAbsent(name, rule);
            if (previous != null && !previous.equals(rule)) {
                throw new IllegalStateException("Rule " + name + " rendered twice with different content");
            }
        }

        List<Rule> sorted() {
            return byName.values().stream()
                .sorted(Comparator.comparing(rule -> rule.requireName().getValue()))
                .toList();
        }
    }

    /**
     * The {@code expires} value of a lease that ends at {@code end}: UTC with whole seconds (the fraction is cut, so
     * the gateway never keeps a rule beyond the controller's lease), e.g. {@code 2026-12-05T10:00:00Z}. Whole seconds
     * keep the value the same however often the lease is rendered, and are what the gateway's kernel can time.
     */
    public static DateAndTime expires(final Instant end) {
        return new DateAndTime(end.truncatedTo(ChronoUnit.SECONDS).toString());
    }

    // Value equality after making the model's defaults explicit.
    static boolean sameRule(final Rule left, final Rule right) {
        return normalized(left).equals(normalized(right));
    }
}
