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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpPrefix;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PermissionAction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PortRange;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;

/**
 * A gateway's configuration in the form the request handling uses: parsed addresses and prefixes, defaults applied,
 * cross-field rules checked. Built only from a configuration that passed {@link #of(Gateway)}.
 */
public record GatewayView(
        String id,
        boolean enabled,
        List<InetAddress> externalAddresses,
        List<org.pcpcontroller.api.net.IpPrefix> internalPrefixes,
        org.pcpcontroller.api.net.PortRange externalPorts,
        long minLifetime,
        long maxLifetime,
        long shortErrorLifetime,
        long perClientQuota,
        int maxFilters,
        boolean defaultAllow,
        List<PermissionRule> permissionRules,
        List<org.pcpcontroller.api.net.IpPrefix> thirdPartyPrefixes,
        boolean allowProtocolAll,
        boolean allowAllPorts,
        int flowPriorityOptionCode,
        boolean nonceTakeoverOnRefresh,
        boolean deleteUnknownNoResources) {

    public GatewayView {
        requireNonNull(id);
        externalAddresses = List.copyOf(externalAddresses);
        internalPrefixes = List.copyOf(internalPrefixes);
        requireNonNull(externalPorts);
        permissionRules = List.copyOf(permissionRules);
        thirdPartyPrefixes = List.copyOf(thirdPartyPrefixes);
    }

    /**
     * Checks a gateway's configuration and returns its view.
     *
     * @throws InvalidGatewayException listing every problem found, if the configuration cannot be served
     */
    public static GatewayView of(final Gateway gateway) throws InvalidGatewayException {
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
        final var internals = new ArrayList<org.pcpcontroller.api.net.IpPrefix>();
        for (var prefix : requireNonNullElse(gateway.getInternalPrefix(), Set.<IpPrefix>of())) {
            internals.add(prefix(prefix));
        }

        final var range = gateway.getExternalPortRange();
        final int portStart = range == null || range.getStart() == null ? 1024
            : range.getStart().getValue().toJava();
        final int portEnd = range == null || range.getEnd() == null ? 65535 : range.getEnd().getValue().toJava();
        if (portStart > portEnd) {
            problems.add("external-port-range start " + portStart + " is above end " + portEnd);
        }

        // Defaults are not materialised in the datastore: every absent leaf takes its YANG default here.
        final var policy = gateway.getPolicy();
        final var noPolicy = policy == null;
        final long minLifetime = noPolicy || policy.getMinLifetime() == null ? 120
            : policy.getMinLifetime().getValue().toJava();
        final long maxLifetime = noPolicy || policy.getMaxLifetime() == null ? 86400
            : policy.getMaxLifetime().getValue().toJava();
        if (minLifetime > maxLifetime) {
            problems.add("policy min-lifetime " + minLifetime + " is above max-lifetime " + maxLifetime);
        }
        final var rules = new ArrayList<PermissionRule>();
        if (!noPolicy) {
            for (var rule : policy.nonnullPermissionRule().values()) {
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
        }
        if (!problems.isEmpty()) {
            throw new InvalidGatewayException(id, problems);
        }

        final var compat = noPolicy ? null : policy.getCompatibility();
        return new GatewayView(id,
            !Boolean.FALSE.equals(gateway.getEnabled()),
            externals,
            internals,
            new org.pcpcontroller.api.net.PortRange(portStart, portEnd),
            minLifetime,
            maxLifetime,
            noPolicy || policy.getShortErrorLifetime() == null ? 30 : policy.getShortErrorLifetime().toJava(),
            noPolicy || policy.getPerClientQuota() == null ? 256 : policy.getPerClientQuota().toJava(),
            noPolicy || policy.getMaxFilters() == null ? 8 : policy.getMaxFilters().toJava(),
            noPolicy || policy.getDefaultAction() != PermissionAction.Deny,
            rules,
            noPolicy ? List.of() : requireNonNullElse(policy.getThirdPartyPrefix(), Set.<IpPrefix>of()).stream()
                .map(GatewayView::prefix).toList(),
            !noPolicy && Boolean.TRUE.equals(policy.getAllowProtocolAll()),
            !noPolicy && Boolean.TRUE.equals(policy.getAllowAllPorts()),
            noPolicy || policy.getFlowPriorityOptionCode() == null ? 99
                : policy.getFlowPriorityOptionCode().toJava(),
            compat != null && Boolean.TRUE.equals(compat.getNonceTakeoverOnRefresh()),
            compat != null && Boolean.TRUE.equals(compat.getDeleteUnknownNoResources()));
    }

    /**
     * Whether an address lies inside one of the gateway's internal prefixes.
     */
    public boolean isInternal(final InetAddress address) {
        return internalPrefixes.stream().anyMatch(prefix -> prefix.contains(address));
    }

    /**
     * The external address a mapping of this internal address gets by default: the internal address itself for
     * IPv6 (firewall pinhole, no translation), else the first external address of the same family.
     */
    public Optional<InetAddress> defaultExternalAddress(final InetAddress internal) {
        if (!(internal instanceof Inet4Address)) {
            return Optional.of(internal);
        }
        return externalAddresses.stream().filter(Inet4Address.class::isInstance).findFirst();
    }

    /**
     * Whether the gateway may use this external address for this internal address.
     */
    public boolean canUseExternal(final InetAddress internal, final InetAddress external) {
        return internal instanceof Inet4Address ? externalAddresses.contains(external) : internal.equals(external);
    }

    /**
     * Whether an internal host that holds {@code held} mappings may not get another: {@code per-client-quota} 0 means
     * no limit.
     */
    public boolean quotaReached(final long held) {
        return perClientQuota > 0 && held >= perClientQuota;
    }

    /**
     * Whether the permission rules allow this mapping; first match wins, then the default action.
     */
    public boolean permits(final int externalPort, final InetAddress internalAddress, final int internalPort) {
        for (var rule : permissionRules) {
            if (rule.matches(externalPort, internalAddress, internalPort)) {
                return rule.allow();
            }
        }
        return defaultAllow;
    }

    /**
     * The external ports of the gateway's range that the permission rules allow for this internal endpoint, as
     * ascending disjoint ranges. First match wins per port, as in {@link #permits}; computed over ranges rather than
     * port by port, so its cost depends on the number of rules only.
     */
    public List<org.pcpcontroller.api.net.PortRange> permittedExternalPorts(final InetAddress internalAddress,
            final int internalPort) {
        // Ports no rule has decided yet, and those decided "allow"; both ascending and disjoint.
        var undecided = List.of(externalPorts);
        final var allowed = new ArrayList<org.pcpcontroller.api.net.PortRange>();
        for (var rule : permissionRules) {
            if (undecided.isEmpty()) {
                break;
            }
            if (rule.internalPrefix() != null && !rule.internalPrefix().contains(internalAddress)
                || rule.internalPorts() != null && !rule.internalPorts().contains(internalPort)) {
                continue;
            }
            final var ext = rule.externalPorts() == null ? org.pcpcontroller.api.net.PortRange.ALL
                : rule.externalPorts();
            final var remaining = new ArrayList<org.pcpcontroller.api.net.PortRange>();
            for (var range : undecided) {
                final int start = Math.max(range.start(), ext.start());
                final int end = Math.min(range.end(), ext.end());
                if (start > end) {
                    remaining.add(range);
                    continue;
                }
                if (rule.allow()) {
                    allowed.add(new org.pcpcontroller.api.net.PortRange(start, end));
                }
                if (range.start() < start) {
                    remaining.add(new org.pcpcontroller.api.net.PortRange(range.start(), start - 1));
                }
                if (end < range.end()) {
                    remaining.add(new org.pcpcontroller.api.net.PortRange(end + 1, range.end()));
                }
            }
            undecided = remaining;
        }
        if (defaultAllow) {
            allowed.addAll(undecided);
        }
        allowed.sort(Comparator.comparingInt(org.pcpcontroller.api.net.PortRange::start));
        // merge neighbours, so that callers see the fewest ranges
        final var merged = new ArrayList<org.pcpcontroller.api.net.PortRange>();
        for (var range : allowed) {
            final int last = merged.size() - 1;
            if (last >= 0 && merged.get(last).end() + 1 >= range.start()) {
                merged.set(last, new org.pcpcontroller.api.net.PortRange(merged.get(last).start(),
                    Math.max(merged.get(last).end(), range.end())));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    /**
     * Whether this client may ask for mappings on behalf of other hosts (THIRD_PARTY, RFC 6887 section 13.1).
     */
    public boolean allowsThirdParty(final InetAddress client) {
        return thirdPartyPrefixes.stream().anyMatch(prefix -> prefix.contains(client));
    }

    /**
     * Clamps a requested lifetime to [min-lifetime, max-lifetime] (RFC 6887 section 15).
     */
    public long clampLifetime(final long requested) {
        return Math.max(minLifetime, Math.min(maxLifetime, requested));
    }

    private static org.pcpcontroller.api.net.PortRange portRange(final PortRange range, final String what,
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
