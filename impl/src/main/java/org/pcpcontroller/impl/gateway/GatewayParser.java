/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;
import static java.util.Objects.requireNonNullElse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpPrefix;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.gateway.continuation.GotoTable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PermissionAction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PortRange;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Netconf;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Policy;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Render;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.Password;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PrivateKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.Pinned;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.TrustOnFirstUse;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.CallHome;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.DialOut;
import org.opendaylight.yangtools.yang.common.QName;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.impl.gateway.GatewayView.Credentials;
import org.pcpcontroller.impl.gateway.GatewayView.DscpRenderer;
import org.pcpcontroller.impl.gateway.GatewayView.Marking;

/**
 * Parses a gateway's configuration, every section of it, into its {@link GatewayView}: the one place that reads the
 * configuration tree, applies the model's defaults and checks the rules YANG types cannot express. The registry
 * parses each change once and hands the views to every stage; the commit cohort refuses, through the same parser,
 * what could not be served.
 */
public final class GatewayParser {
    // The model's defaults, typed once. Absent leaves take them; the datastore never holds them.
    private final boolean enabled;
    private final int portStart;
    private final int portEnd;
    private final int udpPort;
    private final long puntMeterRate;
    private final int netconfPort;
    private final boolean pinnedByDefault;
    private final long keepalive;
    private final long reconcileInterval;
    private final boolean keepRulesOnRemoval;
    private final boolean waitForAck;
    private final long responseTimeout;
    private final GatewayView.Policy policy;
    private final Marking marking;

    public GatewayParser(final ModelDefaults defaults) {
        final var gateway = new Path(Gateways.QNAME, Gateway.QNAME);
        enabled = defaults.bool(gateway.leaf("enabled"));
        final var range = gateway.child("external-port-range");
        portStart = defaults.uint16(range.leaf("start"));
        portEnd = defaults.uint16(range.leaf("end"));
        udpPort = defaults.uint16(gateway.child("udp-ingress").leaf("port"));
        puntMeterRate = defaults.uint(gateway.child("openflow").leaf("punt-meter-rate"));
        final var netconf = gateway.child("netconf");
        netconfPort = defaults.uint16(netconf.leaf("port"));
        pinnedByDefault = "pinned".equals(defaults.defaultCase(netconf.leaf("host-key-policy")));
        keepalive = defaults.uint(netconf.leaf("keepalive-interval"));
        reconcileInterval = defaults.uint(netconf.leaf("reconcile-interval"));
        keepRulesOnRemoval = "keep-rules".equals(defaults.leaf(netconf.leaf("on-removal")));
        final var render = gateway.child("render");
        waitForAck = "gateway-ack".equals(defaults.leaf(render.leaf("answer-after")));
        responseTimeout = defaults.uint(render.leaf("response-timeout"));
        final var policyPath = gateway.child("policy");
        final var compat = policyPath.child("compatibility");
        policy = new GatewayView.Policy(
            defaults.uint(policyPath.leaf("min-lifetime")),
            defaults.uint(policyPath.leaf("max-lifetime")),
            defaults.uint(policyPath.leaf("short-error-lifetime")),
            defaults.uint(policyPath.leaf("per-client-quota")),
            defaults.uint16(policyPath.leaf("ipv6-client-prefix-length")),
            defaults.uint(policyPath.leaf("max-mappings")),
            defaults.uint(policyPath.leaf("request-rate")),
            defaults.uint16(policyPath.leaf("max-filters")),
            "allow".equals(defaults.leaf(policyPath.leaf("default-action"))),
            List.of(), List.of(),
            defaults.bool(policyPath.leaf("allow-protocol-all")),
            defaults.bool(policyPath.leaf("allow-all-ports")),
            defaults.uint16(policyPath.leaf("flow-priority-option-code")),
            dscpRenderer(defaults.leaf(policyPath.leaf("dscp-renderer"))),
            defaults.bool(compat.leaf("nonce-takeover-on-refresh")),
            defaults.bool(compat.leaf("delete-unknown-no-resources")));
        final var fp = new Path(FlowPriority.QNAME,
            org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway
                .QNAME);
        if (!"normal".equals(defaults.defaultCase(fp.leaf("continuation")))) {
            // goto-table has no default table: only NORMAL can be the default continuation
            throw new IllegalArgumentException("pcp-flow-priority: the default continuation must be normal");
        }
        marking = new Marking(Set.of(), Set.of(), "reject".equals(defaults.leaf(fp.leaf("disallowed-action"))),
            defaults.bool(fp.leaf("mark-map")), defaults.uint16(fp.leaf("table-id")),
            defaults.uint16(fp.leaf("flow-priority")), OptionalInt.empty());
    }

    /** A data-tree path in the model, built from a parent QName's module. */
    private record Path(QName... names) {
        Path child(final String name) {
            final var longer = java.util.Arrays.copyOf(names, names.length + 1);
            longer[names.length] = QName.create(names[0], name);
            return new Path(longer);
        }

        QName[] leaf(final String name) {
            return child(name).names();
        }
    }

    /**
     * The policy a gateway gets when it configures none.
     */
    public GatewayView.Policy defaultPolicy() {
        return policy;
    }

    /**
     * The marking policy of a gateway without a {@code pcp-flow-priority} entry.
     */
    public Marking defaultMarking() {
        return marking;
    }

    /**
     * Parses a gateway's configuration.
     *
     * @param gateway its {@code pcp-gateway} entry
     * @param flowPriority its {@code pcp-flow-priority} entry, if it has one
     * @throws InvalidGatewayException listing every problem found, if the configuration cannot be served
     */
    public GatewayView parse(final Gateway gateway,
            final org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority
                .@Nullable Gateway flowPriority) throws InvalidGatewayException {
        final var problems = new ArrayList<String>();
        final var id = gateway.requireId().getValue();

        final var externals = new ArrayList<InetAddress>();
        for (var address : requireNonNullElse(gateway.getExternalAddress(), List.<IpAddress>of())) {
            final var inet = IetfInetUtil.inetAddressFor(address);
            if (inet.isAnyLocalAddress() || inet.isMulticastAddress() || inet.isLoopbackAddress()) {
                problems.add("external-address " + address.stringValue() + " is not a unicast address");
            } else if (externals.contains(inet)) {
                problems.add("external-address " + address.stringValue() + " is listed twice");
            } else {
                externals.add(inet);
            }
        }
        final var internals = requireNonNullElse(gateway.getInternalPrefix(), Set.<IpPrefix>of()).stream()
            .map(GatewayParser::prefix).toList();

        final var range = gateway.getExternalPortRange();
        final int start = range == null || range.getStart() == null ? portStart : range.getStart().getValue().toJava();
        final int end = range == null || range.getEnd() == null ? portEnd : range.getEnd().getValue().toJava();
        if (start > end) {
            problems.add("external-port-range start " + start + " is above end " + end);
        }

        final var parsedPolicy = policy(gateway.getPolicy(), problems);
        final var parsedMarking = flowPriority == null ? marking : marking(flowPriority, problems);
        final var parsedNetconf = netconf(gateway.getNetconf(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidGatewayException(id, problems);
        }
        return new GatewayView(id,
            requireNonNullElse(gateway.getDescription(), ""),
            gateway.getEnabled() == null ? enabled : gateway.getEnabled(),
            externals,
            internals,
            new org.pcpcontroller.api.net.PortRange(start, end),
            parsedPolicy,
            render(gateway.getRender()),
            udpListen(gateway),
            openflow(gateway),
            parsedNetconf,
            parsedMarking);
    }

    /**
     * Checks a {@code pcp-flow-priority} entry on its own.
     *
     * @throws InvalidGatewayException listing every problem found
     */
    public Marking parseMarking(final org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority
            .rev261123.flow.priority.Gateway flowPriority) throws InvalidGatewayException {
        final var problems = new ArrayList<String>();
        final var parsed = marking(flowPriority, problems);
        if (!problems.isEmpty()) {
            throw new InvalidGatewayException(flowPriority.requireGatewayId().getValue(), problems);
        }
        return parsed;
    }

    private GatewayView.Policy policy(final @Nullable Policy config, final List<String> problems) {
        if (config == null) {
            return policy;
        }
        final long minLifetime = or(config.getMinLifetime(), value -> value.getValue().toJava(),
            policy.minLifetime());
        final long maxLifetime = or(config.getMaxLifetime(), value -> value.getValue().toJava(),
            policy.maxLifetime());
        if (minLifetime > maxLifetime) {
            problems.add("policy min-lifetime " + minLifetime + " is above max-lifetime " + maxLifetime);
        }
        final var rules = new ArrayList<PermissionRule>();
        for (var rule : config.nonnullPermissionRule().values()) {
            final var seq = rule.requireSequence().toJava();
            final var ext = rule.getExternalPorts();
            final var intPorts = rule.getInternalPorts();
            final var intPrefix = rule.getInternalPrefix();
            rules.add(new PermissionRule(seq, rule.requireAction() == PermissionAction.Allow,
                ext == null ? null : portRange(ext, "permission-rule " + seq + " external-ports", problems),
                intPrefix == null ? null : prefix(intPrefix),
                intPorts == null ? null : portRange(intPorts, "permission-rule " + seq + " internal-ports",
                    problems)));
        }
        rules.sort(Comparator.comparingLong(PermissionRule::sequence));
        final var compat = config.getCompatibility();
        final int flowPriorityCode = or(config.getFlowPriorityOptionCode(), value -> value.intValue(),
            policy.flowPriorityOptionCode());
        FlowPriorityOption.codeTakenBy(flowPriorityCode).ifPresent(owner -> problems.add(
            "policy flow-priority-option-code " + flowPriorityCode + " is taken by " + owner
                + ": clients sending that option would have it read as FLOW_PRIORITY"));
        return new GatewayView.Policy(minLifetime, maxLifetime,
            or(config.getShortErrorLifetime(), value -> value.toJava(), policy.shortErrorLifetime()),
            or(config.getPerClientQuota(), value -> value.toJava(), policy.perClientQuota()),
            or(config.getIpv6ClientPrefixLength(), value -> value.intValue(), policy.ipv6ClientPrefixLength()),
            or(config.getMaxMappings(), value -> value.toJava(), policy.maxMappings()),
            or(config.getRequestRate(), value -> value.toJava(), policy.requestRate()),
            or(config.getMaxFilters(), value -> value.intValue(), policy.maxFilters()),
            config.getDefaultAction() == null ? policy.defaultAllow()
                : config.getDefaultAction() == PermissionAction.Allow,
            rules,
            requireNonNullElse(config.getThirdPartyPrefix(), Set.<IpPrefix>of()).stream().map(GatewayParser::prefix)
                .toList(),
            or(config.getAllowProtocolAll(), value -> value, policy.allowProtocolAll()),
            or(config.getAllowAllPorts(), value -> value, policy.allowAllPorts()),
            flowPriorityCode,
            config.getDscpRenderer() == null ? policy.dscpRenderer() : switch (config.getDscpRenderer()) {
                case None -> DscpRenderer.NONE;
                case Openflow -> DscpRenderer.OPENFLOW;
                case Netfilter -> DscpRenderer.NETFILTER;
            },
            compat == null ? policy.nonceTakeoverOnRefresh()
                : or(compat.getNonceTakeoverOnRefresh(), value -> value, policy.nonceTakeoverOnRefresh()),
            compat == null ? policy.deleteUnknownNoResources()
                : or(compat.getDeleteUnknownNoResources(), value -> value, policy.deleteUnknownNoResources()));
    }

    private GatewayView.Render render(final @Nullable Render config) {
        if (config == null) {
            return new GatewayView.Render(waitForAck, Duration.ofMillis(responseTimeout));
        }
        return new GatewayView.Render(
            config.getAnswerAfter() == null ? waitForAck : config.getAnswerAfter() == Render.AnswerAfter.GatewayAck,
            Duration.ofMillis(or(config.getResponseTimeout(), value -> value.toJava(), responseTimeout)));
    }

    private List<InetSocketAddress> udpListen(final Gateway gateway) {
        final var ingress = gateway.getUdpIngress();
        if (ingress == null || ingress.getListenAddress() == null) {
            return List.of();
        }
        final int port = ingress.getPort() == null ? udpPort : ingress.getPort().getValue().toJava();
        return ingress.getListenAddress().stream()
            .map(address -> new InetSocketAddress(IetfInetUtil.inetAddressFor(address), port))
            .distinct()
            .toList();
    }

    private GatewayView.OpenFlow openflow(final Gateway gateway) {
        final var openflow = gateway.getOpenflow();
        if (openflow == null) {
            return new GatewayView.OpenFlow(List.of(), puntMeterRate, List.of(), List.of());
        }
        return new GatewayView.OpenFlow(
            requireNonNullElse(openflow.getDatapathId(), Set.<DatapathId>of()).stream().map(DatapathId::getValue)
                .sorted().toList(),
            or(openflow.getPuntMeterRate(), value -> value.toJava(), puntMeterRate),
            requireNonNullElse(openflow.getLanPort(), Set.<org.opendaylight.yangtools.yang.common.Uint32>of())
                .stream().map(port -> port.toJava()).sorted().toList(),
            // openssl prints upper case; the model lets an operator write either
            requireNonNullElse(openflow.getCertificateSha256(), Set.<String>of()).stream()
                .map(fingerprint -> fingerprint.toUpperCase(Locale.ROOT)).distinct().sorted().toList());
    }

    private GatewayView.@Nullable Netconf netconf(final @Nullable Netconf config, final List<String> problems) {
        if (config == null) {
            return null;
        }
        final GatewayView.Reach reach;
        switch (config.getTransport()) {
            case DialOut dialOut when dialOut.getAddress() != null -> {
                final var address = dialOut.getAddress();
                reach = new GatewayView.Reach.DialOut(address.getIpAddress() != null
                    ? IetfInetUtil.inetAddressFor(address.getIpAddress()).getHostAddress()
                    : address.getDomainName().getValue(),
                    dialOut.getPort() == null ? netconfPort : dialOut.getPort().getValue().toJava());
            }
            case CallHome callHome when callHome.getCallHome() != null -> reach = new GatewayView.Reach.CallHome();
            // the choice is mandatory, and address is mandatory in its case; a port alone is neither
            case null, default -> {
                problems.add("netconf needs an address (dial-out) or call-home");
                return null;
            }
        }
        final Credentials credentials = switch (config.getCredentials()) {
            case Password password when password.getPassword() != null ->
                new Credentials.Password(password.getPassword());
            case PrivateKey key when key.getPrivateKey() != null ->
                new Credentials.PrivateKey(key.getPrivateKey(), key.getPassphrase());
            // the choice is mandatory, but a private-key case can hold a passphrase alone
            case null, default -> null;
        };
        if (credentials == null) {
            problems.add("netconf needs a password or a private key");
            return null;
        }
        final boolean pin = config.getHostKeyPolicy() instanceof Pinned || config.getHostKeyPolicy() == null
            && pinnedByDefault;
        final String pinned = config.getHostKeyPolicy() instanceof Pinned chosen ? chosen.getHostKeySha256() : null;
        if (pin && pinned == null) {
            // never fall back to trusting whoever answers first when pinning was asked for
            problems.add("netconf host-key-policy pinned needs host-key-sha256");
            return null;
        }
        final String trusted = config.getHostKeyPolicy() instanceof TrustOnFirstUse tofu
            ? tofu.getTrustedHostKeySha256() : null;
        if (reach instanceof GatewayView.Reach.CallHome && pinned == null && trusted == null) {
            // a caller is told apart by its host key alone, and must be before any credential is sent to it
            problems.add("netconf call-home needs a pinned host-key-sha256 or a recorded trusted-host-key-sha256");
            return null;
        }
        return new GatewayView.Netconf(reach,
            config.requireUsername(), credentials, pinned, trusted,
            Duration.ofSeconds(or(config.getKeepaliveInterval(), value -> value.toJava(), keepalive)),
            Duration.ofSeconds(or(config.getReconcileInterval(), value -> value.toJava(), reconcileInterval)),
            config.getOnRemoval() == null ? keepRulesOnRemoval : config.getOnRemoval() == Netconf.OnRemoval.KeepRules);
    }

    private Marking marking(final org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123
            .flow.priority.Gateway config, final List<String> problems) {
        final int tableId = or(config.getTableId(), value -> value.intValue(), marking.tableId());
        final var gotoTable = config.getContinuation() instanceof GotoTable next && next.getGotoTable() != null
            ? OptionalInt.of(next.getGotoTable().intValue()) : OptionalInt.empty();
        if (gotoTable.isPresent() && gotoTable.getAsInt() <= tableId) {
            // OpenFlow 1.3 section 5.1: goto-table may only go forward
            problems.add("flow-priority goto-table " + gotoTable.getAsInt() + " does not follow table-id " + tableId);
        }
        return new Marking(dscps(config.getAllowedDscpUp()), dscps(config.getAllowedDscpDown()),
            config.getDisallowedAction() == null ? marking.rejectDisallowed()
                : config.getDisallowedAction() == org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow
                    .priority.rev261123.flow.priority.Gateway.DisallowedAction.Reject,
            or(config.getMarkMap(), value -> value, marking.markMap()),
            tableId,
            or(config.getFlowPriority(), value -> value.intValue(), marking.priority()),
            gotoTable);
    }

    private static Set<Integer> dscps(final @Nullable Set<Dscp> values) {
        return values == null ? Set.of() : Set.copyOf(values.stream().map(dscp -> dscp.getValue().intValue())
            .toList());
    }

    private static DscpRenderer dscpRenderer(final String name) {
        return switch (name) {
            case "none" -> DscpRenderer.NONE;
            case "openflow" -> DscpRenderer.OPENFLOW;
            case "netfilter" -> DscpRenderer.NETFILTER;
            default -> throw new IllegalArgumentException("Unknown dscp-renderer default " + name);
        };
    }

    private static <T, R> R or(final @Nullable T value, final Function<T, R> convert, final R fallback) {
        return value == null ? fallback : requireNonNull(convert.apply(value));
    }

    private static org.pcpcontroller.api.net.@Nullable PortRange portRange(final PortRange range, final String what,
            final List<String> problems) {
        final int start = range.requireStart().getValue().toJava();
        final int end = range.requireEnd().getValue().toJava();
        if (start > end) {
            problems.add(what + " start " + start + " is above end " + end);
            return null;
        }
        return new org.pcpcontroller.api.net.PortRange(start, end);
    }

    private static org.pcpcontroller.api.net.IpPrefix prefix(final IpPrefix prefix) {
        return org.pcpcontroller.api.net.IpPrefix.parse(prefix.stringValue());
    }
}
