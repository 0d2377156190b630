/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.net.IpPrefix;
import org.pcpcontroller.api.net.PortRange;

/**
 * One gateway's whole configuration, parsed once by {@link GatewayParser}: addresses and prefixes parsed, every
 * default applied (from the model), cross-field rules checked. Every stage reads its own section: the engine the
 * addressing and {@link Policy}, the ingresses {@link #udpListen} and {@link OpenFlow}, the renderers {@link Netconf},
 * {@link Marking} and {@link Render}.
 *
 * @param id the gateway id
 * @param description the operator's text, for logs and state (a home is found by it); empty if none
 * @param enabled whether requests are served (a disabled gateway answers NETWORK_FAILURE)
 * @param externalAddresses external addresses, in configured order
 * @param internalPrefixes the LAN prefixes whose hosts may map
 * @param externalPorts the external port range
 * @param policy the PCP and NAT-PMP policy
 * @param render when answers wait for the renderers
 * @param udpListen where the direct UDP ingress serves this gateway; empty for nowhere
 * @param openflow the switches that punt for this gateway
 * @param netconf the NETCONF session of the netfilter renderer, or null for none
 * @param marking the DSCP marking policy ({@code pcp-flow-priority})
 */
public record GatewayView(
        String id,
        String description,
        boolean enabled,
        List<InetAddress> externalAddresses,
        List<IpPrefix> internalPrefixes,
        PortRange externalPorts,
        Policy policy,
        Render render,
        List<InetSocketAddress> udpListen,
        OpenFlow openflow,
        @Nullable Netconf netconf,
        Marking marking) {

    public GatewayView {
        requireNonNull(id);
        requireNonNull(description);
        externalAddresses = List.copyOf(externalAddresses);
        internalPrefixes = List.copyOf(internalPrefixes);
        requireNonNull(externalPorts);
        requireNonNull(policy);
        requireNonNull(render);
        udpListen = List.copyOf(udpListen);
        requireNonNull(openflow);
        requireNonNull(marking);
    }

    /**
     * The gateway as logs name it: its id, and its description when it has one.
     */
    public String describe() {
        return description.isEmpty() ? id : id + " (" + description + ")";
    }

    /** Which renderer enforces FLOW_PRIORITY ({@code policy/dscp-renderer}). */
    public enum DscpRenderer {
        NONE, OPENFLOW, NETFILTER
    }

    /**
     * The PCP and NAT-PMP policy ({@code policy}).
     *
     * @param perClientQuota most mappings of one client, 0 for no limit
     * @param ipv6ClientPrefixLength the prefix length that makes one IPv6 client, for the quota
     * @param maxMappings most mappings of the gateway, 0 for no limit
     * @param requestRate requests per second of all the gateway's clients together
     * @param permissionRules sorted by sequence
     */
    public record Policy(
            long minLifetime,
            long maxLifetime,
            long shortErrorLifetime,
            long perClientQuota,
            int ipv6ClientPrefixLength,
            long maxMappings,
            long requestRate,
            int maxFilters,
            boolean defaultAllow,
            List<PermissionRule> permissionRules,
            List<IpPrefix> thirdPartyPrefixes,
            boolean allowProtocolAll,
            boolean allowAllPorts,
            int flowPriorityOptionCode,
            DscpRenderer dscpRenderer,
            boolean nonceTakeoverOnRefresh,
            boolean deleteUnknownNoResources) {
        public Policy {
            permissionRules = List.copyOf(permissionRules);
            thirdPartyPrefixes = List.copyOf(thirdPartyPrefixes);
            requireNonNull(dscpRenderer);
        }
    }

    /**
     * When a SUCCESS answer leaves ({@code render}).
     *
     * @param waitForAck whether SUCCESS waits for every renderer that renders the mapping ({@code gateway-ack})
     * @param responseTimeout how long it waits at most
     */
    public record Render(boolean waitForAck, Duration responseTimeout) {
        public Render {
            requireNonNull(responseTimeout);
        }
    }

    /**
     * The switches that punt for the gateway ({@code openflow}).
     *
     * @param datapathIds datapath ids in the model's form ({@code 00:00:00:00:00:00:00:01})
     * @param puntMeterRate packets per second through the punt meter
     * @param lanPorts where announcements go; empty for every port a request came in on
     * @param certificateSha256 the switches' certificate fingerprints ({@code AB:CD:...}, upper case); empty when a
     *        switch's datapath id is trusted as reported
     */
    public record OpenFlow(List<String> datapathIds, long puntMeterRate, List<Long> lanPorts,
            List<String> certificateSha256) {
        public OpenFlow {
            datapathIds = List.copyOf(datapathIds);
            lanPorts = List.copyOf(lanPorts);
            certificateSha256 = List.copyOf(certificateSha256);
        }
    }

    /**
     * The NETCONF session to the gateway ({@code netconf}). Secrets are kept as stored (possibly encrypted); the
     * renderer decrypts them.
     *
     * @param reach who opens the connection: the controller, or the gateway (call home)
     * @param pinnedHostKey the pinned SHA-256 host key fingerprint, or null for trust on first use
     * @param trustedHostKey with trust on first use, the key trusted at the first session, once recorded
     * @param keepRulesOnRemoval whether the gateway keeps its rules when the controller stops managing it
     */
    public record Netconf(Reach reach, String username, Credentials credentials,
            @Nullable String pinnedHostKey, @Nullable String trustedHostKey, Duration keepalive,
            Duration reconcileInterval, boolean keepRulesOnRemoval) {
        public Netconf {
            requireNonNull(reach);
            requireNonNull(username);
            requireNonNull(credentials);
            requireNonNull(keepalive);
            requireNonNull(reconcileInterval);
        }
    }

    /**
     * Who opens the NETCONF connection ({@code netconf/transport}).
     */
    public sealed interface Reach {
        /**
         * The controller dials the gateway's NETCONF server.
         *
         * @param host address or host name
         * @param port TCP port
         */
        record DialOut(String host, int port) implements Reach {
            public DialOut {
                requireNonNull(host);
            }
        }

        /**
         * The gateway calls the controller's call-home listener (RFC 8071) and is identified by its host key, which
         * is then the pinned or the recorded one (the parser refuses anything else).
         */
        record CallHome() implements Reach {
        }
    }

    /**
     * How the controller authenticates to the gateway.
     */
    public sealed interface Credentials {
        /**
         * A password, as stored.
         */
        record Password(String password) implements Credentials {
            public Password {
                requireNonNull(password);
            }

            @Override
            public String toString() {
                return "password";
            }
        }

        /**
         * A private key and its passphrase, as stored.
         */
        record PrivateKey(String privateKey, @Nullable String passphrase) implements Credentials {
            public PrivateKey {
                requireNonNull(privateKey);
            }

            @Override
            public String toString() {
                return "private key";
            }
        }
    }

    /**
     * The DSCP marking policy ({@code pcp-flow-priority} entry of the gateway, or the model's defaults).
     *
     * @param allowedUp DSCP values a client may ask for upstream; empty allows every value
     * @param allowedDown the same downstream
     * @param rejectDisallowed whether a request for a value not allowed is refused ({@code reject}) rather than
     *        mapped without marking ({@code ignore})
     * @param markMap whether MAP mappings with FLOW_PRIORITY are marked too
     * @param tableId the table of the marking flows
     * @param priority their OpenFlow priority
     * @param gotoTable the table to continue in; empty to output to NORMAL
     */
    public record Marking(Set<Integer> allowedUp, Set<Integer> allowedDown, boolean rejectDisallowed,
            boolean markMap, int tableId, int priority, OptionalInt gotoTable) {
        public Marking {
            allowedUp = Set.copyOf(allowedUp);
            allowedDown = Set.copyOf(allowedDown);
            requireNonNull(gotoTable);
        }

        /**
         * Whether a client may have its flow marked with these values.
         */
        public boolean allows(final int dscpUp, final int dscpDown) {
            return (allowedUp.isEmpty() || allowedUp.contains(dscpUp))
                && (allowedDown.isEmpty() || allowedDown.contains(dscpDown));
        }
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
     * The first external IPv4 address: the one NAT-PMP announces and the epoch follows.
     */
    public Optional<InetAddress> firstExternalIpv4() {
        return externalAddresses.stream().filter(Inet4Address.class::isInstance).findFirst();
    }

    /**
     * Whether the gateway may use this external address for this internal address.
     */
    public boolean canUseExternal(final InetAddress internal, final InetAddress external) {
        return internal instanceof Inet4Address ? externalAddresses.contains(external) : internal.equals(external);
    }

    /**
     * The client an internal address counts for in the quota: the address itself for IPv4, its prefix of
     * {@code ipv6-client-prefix-length} for IPv6 (a host with a /64 can use any address of it).
     */
    public IpPrefix client(final InetAddress internal) {
        final int length = internal instanceof Inet4Address ? 32 : policy.ipv6ClientPrefixLength();
        return new IpPrefix(internal, length);
    }

    /**
     * Whether a client that holds {@code held} mappings may not get another: {@code per-client-quota} 0 means no
     * limit.
     */
    public boolean quotaReached(final long held) {
        return policy.perClientQuota() > 0 && held >= policy.perClientQuota();
    }

    /**
     * Whether a gateway that holds {@code held} mappings may not get another: {@code max-mappings} 0 means no limit.
     */
    public boolean mappingLimitReached(final long held) {
        return policy.maxMappings() > 0 && held >= policy.maxMappings();
    }

    /**
     * Whether the permission rules allow this mapping; first match wins, then the default action.
     */
    public boolean permits(final int externalPort, final InetAddress internalAddress, final int internalPort) {
        for (var rule : policy.permissionRules()) {
            if (rule.matches(externalPort, internalAddress, internalPort)) {
                return rule.allow();
            }
        }
        return policy.defaultAllow();
    }

    /**
     * The external ports of the gateway's range that the permission rules allow for this internal endpoint, as
     * ascending disjoint ranges. First match wins per port, as in {@link #permits}; computed over ranges rather than
     * port by port, so its cost depends on the number of rules only.
     */
    public List<PortRange> permittedExternalPorts(final InetAddress internalAddress, final int internalPort) {
        // Ports no rule has decided yet, and those decided "allow"; both ascending and disjoint.
        var undecided = List.of(externalPorts);
        final var allowed = new ArrayList<PortRange>();
        for (var rule : policy.permissionRules()) {
            if (undecided.isEmpty()) {
                break;
            }
            if (rule.internalPrefix() != null && !rule.internalPrefix().contains(internalAddress)
                || rule.internalPorts() != null && !rule.internalPorts().contains(internalPort)) {
                continue;
            }
            final var ext = rule.externalPorts() == null ? PortRange.ALL : rule.externalPorts();
            final var remaining = new ArrayList<PortRange>();
            for (var range : undecided) {
                final int start = Math.max(range.start(), ext.start());
                final int end = Math.min(range.end(), ext.end());
                if (start > end) {
                    remaining.add(range);
                    continue;
                }
                if (rule.allow()) {
                    allowed.add(new PortRange(start, end));
                }
                if (range.start() < start) {
                    remaining.add(new PortRange(range.start(), start - 1));
                }
                if (end < range.end()) {
                    remaining.add(new PortRange(end + 1, range.end()));
                }
            }
            undecided = remaining;
        }
        if (policy.defaultAllow()) {
            allowed.addAll(undecided);
        }
        allowed.sort(Comparator.comparingInt(PortRange::start));
        // merge neighbours, so that callers see the fewest ranges
        final var merged = new ArrayList<PortRange>();
        for (var range : allowed) {
            final int last = merged.size() - 1;
            if (last >= 0 && merged.get(last).end() + 1 >= range.start()) {
                merged.set(last, new PortRange(merged.get(last).start(), Math.max(merged.get(last).end(),
                    range.end())));
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
        return policy.thirdPartyPrefixes().stream().anyMatch(prefix -> prefix.contains(client));
    }

    /**
     * Clamps a requested lifetime to [min-lifetime, max-lifetime] (RFC 6887 section 15).
     */
    public long clampLifetime(final long requested) {
        return Math.max(policy.minLifetime(), Math.min(policy.maxLifetime(), requested));
    }
}
