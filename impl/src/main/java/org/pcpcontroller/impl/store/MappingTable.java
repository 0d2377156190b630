/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import com.google.common.primitives.Longs;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;
import org.pcpcontroller.api.net.IpPrefix;
import org.pcpcontroller.api.net.PortRange;

/**
 * The in-memory index of all mappings: by key, by external endpoint and by internal address. Every lookup is a
 * constant number of hash probes, whatever the number of mappings. Not thread-safe; the store serialises access.
 *
 * <p>An external endpoint belongs to one internal endpoint: a MAP and the PEERs of the same internal endpoint share
 * it (RFC 6887 section 12: PEER reuses the MAP's external port), anything else conflicts. Protocol 0 and port 0 mean
 * "all" and conflict with every mapping they cover.
 */
final class MappingTable {
    /** The protocols a wildcard-protocol mapping must be checked against: those the YANG model can express. */
    private static final int[] PROTOCOLS = { 1, 6, 17, 33, 58, 132, 136 };

    private record Owner(InternalEndpoint internal, int references) {
        Owner plus(final int delta) {
            return new Owner(internal, references + delta);
        }
    }

    private record AddressProtocol(String gateway, InetAddress address, int protocol) {
    }

    private record InternalHost(String gateway, InetAddress address) {
    }

    /**
     * The ports in use on one external address and protocol. Few ports are a sorted array of them, so that an IPv6
     * pinhole (its own external address, usually one or two ports) costs a few bytes, not a bitmap; past
     * {@link #SPARSE_LIMIT} ports the set becomes a bitmap of the 65536 ports (8 KiB), in which finding a free port or
     * a used one costs at most 1024 word reads, whatever the number of mappings. A set never shrinks back: a NAT44
     * address that once held many ports is likely to again.
     */
    static final class PortSet {
        /** Above this many ports the sorted array (2 bytes a port) would cost more to search than the bitmap. */
        static final int SPARSE_LIMIT = 256;

        private char[] sparse = new char[2];
        private long @Nullable [] words;
        private int size;

        void add(final int port) {
            final var bitmap = words;
            if (bitmap != null) {
                final long bit = 1L << port;
                if ((bitmap[port >>> 6] & bit) == 0) {
                    bitmap[port >>> 6] |= bit;
                    size++;
                }
                return;
            }
            final int at = Arrays.binarySearch(sparse, 0, size, (char) port);
            if (at >= 0) {
                return;
            }
            if (size == SPARSE_LIMIT) {
                final var dense = new long[1024];
                for (int i = 0; i < size; i++) {
                    dense[sparse[i] >>> 6] |= 1L << sparse[i];
                }
                dense[port >>> 6] |= 1L << port;
                words = dense;
                sparse = new char[0];
                size++;
                return;
            }
            final int insert = -at - 1;
            if (size == sparse.length) {
                sparse = Arrays.copyOf(sparse, Math.min(SPARSE_LIMIT, size * 2));
            }
            System.arraycopy(sparse, insert, sparse, insert + 1, size - insert);
            sparse[insert] = (char) port;
            size++;
        }

        void remove(final int port) {
            final var bitmap = words;
            if (bitmap != null) {
                final long bit = 1L << port;
                if ((bitmap[port >>> 6] & bit) != 0) {
                    bitmap[port >>> 6] &= ~bit;
                    size--;
                }
                return;
            }
            final int at = Arrays.binarySearch(sparse, 0, size, (char) port);
            if (at >= 0) {
                System.arraycopy(sparse, at + 1, sparse, at, size - at - 1);
                size--;
            }
        }

        boolean isEmpty() {
            return size == 0;
        }

        /**
         * Whether both hold the same ports. Compared port by port: a set that grew past {@link #SPARSE_LIMIT} keeps
         * its bitmap when it shrinks again, so two equal sets may differ in form.
         */
        boolean sameAs(final PortSet other) {
            if (size != other.size) {
                return false;
            }
            for (int port = nextUsed(0, 65535).orElse(-1); port >= 0;
                    port = port < 65535 ? nextUsed(port + 1, 65535).orElse(-1) : -1) {
                if (other.nextUsed(port, port).isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        // first used port at or above from, up to to; empty if none
        OptionalInt nextUsed(final int from, final int to) {
            final var bitmap = words;
            if (bitmap == null) {
                int at = Arrays.binarySearch(sparse, 0, size, (char) from);
                at = at >= 0 ? at : -at - 1;
                return at < size && sparse[at] <= to ? OptionalInt.of(sparse[at]) : OptionalInt.empty();
            }
            for (int port = from; port <= to; ) {
                final long word = bitmap[port >>> 6] >>> (port & 63);
                if (word != 0) {
                    final int found = port + Long.numberOfTrailingZeros(word);
                    return found <= to ? OptionalInt.of(found) : OptionalInt.empty();
                }
                port = (port | 63) + 1;
            }
            return OptionalInt.empty();
        }

        // first free port at or above from, up to to; empty if none
        OptionalInt nextFree(final int from, final int to) {
            final var bitmap = words;
            if (bitmap == null) {
                int at = Arrays.binarySearch(sparse, 0, size, (char) from);
                at = at >= 0 ? at : -at - 1;
                int port = from;
                // the used ports from here on are ascending: the first gap between them is free
                while (port <= to && at < size && sparse[at] == port) {
                    port++;
                    at++;
                }
                return port <= to ? OptionalInt.of(port) : OptionalInt.empty();
            }
            for (int port = from; port <= to; ) {
                final long word = ~bitmap[port >>> 6] >>> (port & 63);
                if (word != 0) {
                    final int found = port + Long.numberOfTrailingZeros(word);
                    return found <= to ? OptionalInt.of(found) : OptionalInt.empty();
                }
                port = (port | 63) + 1;
            }
            return OptionalInt.empty();
        }
    }

    /**
     * An IPv6 address as a number, ordered, so that the hosts of a prefix are one range of a sorted map.
     */
    private record Ipv6Host(long high, long low) implements Comparable<Ipv6Host> {
        static Ipv6Host of(final byte[] address) {
            return new Ipv6Host(Longs.fromByteArray(address), Longs.fromBytes(address[8], address[9], address[10],
                address[11], address[12], address[13], address[14], address[15]));
        }

        @Override
        public int compareTo(final Ipv6Host other) {
            final int byHigh = Long.compareUnsigned(high, other.high);
            return byHigh != 0 ? byHigh : Long.compareUnsigned(low, other.low);
        }
    }

    private final HashMap<String, HashMap<MappingKey, Mapping>> byGateway = new HashMap<>();
    private final HashMap<ExternalEndpoint, Owner> byExternal = new HashMap<>();
    /** Used ports per (external address, protocol): free-port search, and "any port in use" for port 0. */
    private final HashMap<AddressProtocol, PortSet> usedPorts = new HashMap<>();
    /** Mappings per internal host, for quotas and "delete all my mappings". */
    private final HashMap<InternalHost, HashSet<MappingKey>> perInternalHost = new HashMap<>();
    /** Per gateway, the IPv6 internal hosts in address order with their number of mappings: quotas per prefix. */
    private final HashMap<String, TreeMap<Ipv6Host, Integer>> ipv6Hosts = new HashMap<>();
    private int total;

    Optional<Mapping> get(final MappingKey key) {
        final var mappings = byGateway.get(key.gateway());
        return mappings == null ? Optional.empty() : Optional.ofNullable(mappings.get(key));
    }

    int size(final String gateway) {
        final var mappings = byGateway.get(gateway);
        return mappings == null ? 0 : mappings.size();
    }

    int countForInternalHost(final String gateway, final InetAddress internal) {
        final var keys = perInternalHost.get(new InternalHost(gateway, internal));
        return keys == null ? 0 : keys.size();
    }

    /**
     * The mappings of the internal hosts inside a prefix. An IPv6 prefix is one range of the sorted hosts, so the cost
     * is the number of hosts with mappings inside it, never the gateway's; an IPv4 prefix is expected to be one host.
     */
    int countForInternalPrefix(final String gateway, final IpPrefix prefix) {
        final byte[] network = prefix.network().getAddress();
        if (network.length == 4) {
            return prefix.length() == 32 ? countForInternalHost(gateway, prefix.network())
                : (int) mappings(gateway).stream().filter(mapping -> prefix.contains(mapping.key().internalAddress()))
                    .count();
        }
        final var hosts = ipv6Hosts.get(gateway);
        if (hosts == null) {
            return 0;
        }
        final byte[] last = network.clone();
        for (int bit = prefix.length(); bit < 128; bit++) {
            last[bit >>> 3] |= (byte) (0x80 >>> (bit & 7));
        }
        int count = 0;
        for (int held : hosts.subMap(Ipv6Host.of(network), true, Ipv6Host.of(last), true).values()) {
            count += held;
        }
        return count;
    }

    /**
     * Number of mappings of every gateway.
     */
    int total() {
        return total;
    }

    /**
     * The mappings of one internal host.
     */
    List<Mapping> mappingsOf(final String gateway, final InetAddress internal) {
        final var keys = perInternalHost.get(new InternalHost(gateway, internal));
        final var mappings = byGateway.get(gateway);
        if (keys == null || mappings == null) {
            return List.of();
        }
        return keys.stream().map(mappings::get).toList();
    }

    /**
     * The first port of range at or above from that no mapping uses on this address and protocol, wrapping around
     * to the start of the range; empty if all are used.
     */
    OptionalInt nextFreePort(final String gateway, final InetAddress address, final int protocol, final PortRange range,
            final int from) {
        final var used = usedPorts.get(new AddressProtocol(gateway, address, protocol));
        final int start = range.contains(from) ? from : range.start();
        if (used == null) {
            return OptionalInt.of(start);
        }
        final var found = used.nextFree(start, range.end());
        return found.isPresent() ? found : used.nextFree(range.start(), start - 1);
    }

    List<Mapping> mappings(final String gateway) {
        final var mappings = byGateway.get(gateway);
        return mappings == null ? List.of() : new ArrayList<>(mappings.values());
    }

    /**
     * The internal endpoint that holds an external endpoint in a way that conflicts with {@code owner} using it, or
     * null if {@code owner} may use it.
     */
    @Nullable InternalEndpoint conflictingOwner(final ExternalEndpoint external, final InternalEndpoint owner) {
        final var gw = external.gateway();
        final var addr = external.address();
        final int proto = external.protocol();
        final int port = external.port();

        final var found = owner(gw, addr, proto, port, owner);
        if (found != null) {
            return found;
        }
        if (proto == 0) {
            for (int specific : PROTOCOLS) {
                final var other = owner(gw, addr, specific, port, owner);
                if (other != null) {
                    return other;
                }
                if (port == 0) {
                    final var any = anyOwner(gw, addr, specific, owner);
                    if (any != null) {
                        return any;
                    }
                }
            }
        }
        if (port == 0) {
            return anyOwner(gw, addr, proto, owner);
        }
        return null;
    }

    // Exact owner, or the owner of a wildcard that covers this endpoint.
    private @Nullable InternalEndpoint owner(final String gw, final InetAddress addr, final int proto, final int port,
            final InternalEndpoint owner) {
        for (var probe : new ExternalEndpoint[] {
            new ExternalEndpoint(gw, proto, addr, port),
            new ExternalEndpoint(gw, proto, addr, 0),
            new ExternalEndpoint(gw, 0, addr, port),
            new ExternalEndpoint(gw, 0, addr, 0),
        }) {
            final var holder = byExternal.get(probe);
            if (holder != null && !holder.internal().equals(owner)) {
                return holder.internal();
            }
        }
        return null;
    }

    // The owner of some used port of (addr, proto) other than owner: walks the used-port bitmap, not the mappings.
    private @Nullable InternalEndpoint anyOwner(final String gw, final InetAddress addr, final int proto,
            final InternalEndpoint owner) {
        final var used = usedPorts.get(new AddressProtocol(gw, addr, proto));
        if (used == null) {
            return null;
        }
        var port = used.nextUsed(0, 65535);
        while (port.isPresent()) {
            final int found = port.getAsInt();
            final var holder = byExternal.get(new ExternalEndpoint(gw, proto, addr, found));
            if (holder != null && !holder.internal().equals(owner)) {
                return holder.internal();
            }
            port = found < 65535 ? used.nextUsed(found + 1, 65535) : OptionalInt.empty();
        }
        return null;
    }

    /**
     * Adds or replaces a mapping. The caller has checked {@link #conflictingOwner}.
     *
     * @return the mapping it replaced, if any
     */
    @Nullable Mapping put(final Mapping mapping) {
        final var key = mapping.key();
        final var previous = byGateway.computeIfAbsent(key.gateway(), gw -> new HashMap<>()).put(key, mapping);
        if (previous != null) {
            unindex(previous);
        } else {
            total++;
        }
        index(mapping);
        return previous;
    }

    @Nullable Mapping remove(final MappingKey key) {
        final var mappings = byGateway.get(key.gateway());
        if (mappings == null) {
            return null;
        }
        final var removed = mappings.remove(key);
        if (removed != null) {
            total--;
            unindex(removed);
            if (mappings.isEmpty()) {
                byGateway.remove(key.gateway());
            }
        }
        return removed;
    }

    /**
     * Every mapping of every gateway.
     */
    List<Mapping> all() {
        final var all = new ArrayList<Mapping>();
        byGateway.values().forEach(mappings -> all.addAll(mappings.values()));
        return all;
    }

    /**
     * What is wrong with the secondary indexes: each is rebuilt from the mappings and compared with the one kept.
     * Empty when they agree. For tests: the cost is that of indexing every mapping again.
     */
    List<String> selfCheck() {
        final var rebuilt = new MappingTable();
        final var problems = new ArrayList<String>();
        for (var mappings : byGateway.values()) {
            if (mappings.isEmpty()) {
                problems.add("an empty gateway table is kept");
            }
            mappings.values().forEach(rebuilt::index);
        }
        if (!rebuilt.byExternal.equals(byExternal)) {
            problems.add("external endpoints: kept " + byExternal + ", mappings give " + rebuilt.byExternal);
        }
        if (!rebuilt.perInternalHost.equals(perInternalHost)) {
            problems.add("internal hosts: kept " + perInternalHost + ", mappings give " + rebuilt.perInternalHost);
        }
        if (!rebuilt.usedPorts.keySet().equals(usedPorts.keySet())) {
            problems.add("port sets: kept " + usedPorts.keySet() + ", mappings give " + rebuilt.usedPorts.keySet());
        } else {
            usedPorts.forEach((where, ports) -> {
                final var expected = rebuilt.usedPorts.get(where);
                if (!ports.sameAs(expected)) {
                    problems.add("used ports of " + where + " differ from the mappings'");
                }
            });
        }
        return problems;
    }

    private void index(final Mapping mapping) {
        final var key = mapping.key();
        byExternal.merge(mapping.externalEndpoint(), new Owner(key.internalEndpoint(), 1),
            (old, added) -> old.plus(1));
        usedPorts.computeIfAbsent(new AddressProtocol(key.gateway(), mapping.externalAddress(), key.protocol()),
            ap -> new PortSet()).add(mapping.externalPort());
        final boolean added = perInternalHost.computeIfAbsent(new InternalHost(key.gateway(), key.internalAddress()),
            host -> new HashSet<>(4)).add(key);
        if (added && key.internalAddress() instanceof Inet6Address v6) {
            ipv6Hosts.computeIfAbsent(key.gateway(), gw -> new TreeMap<>()).merge(Ipv6Host.of(v6.getAddress()), 1,
                Integer::sum);
        }
    }

    private void unindex(final Mapping mapping) {
        final var key = mapping.key();
        final var external = mapping.externalEndpoint();
        final var owner = byExternal.computeIfPresent(external,
            (ext, held) -> held.references() == 1 ? null : held.plus(-1));
        if (owner == null) {
            // the last mapping on this external endpoint is gone: its port is free again
            final var ap = new AddressProtocol(key.gateway(), mapping.externalAddress(), key.protocol());
            final var used = usedPorts.get(ap);
            if (used != null) {
                used.remove(mapping.externalPort());
                if (used.isEmpty()) {
                    usedPorts.remove(ap);
                }
            }
        }
        final var host = new InternalHost(key.gateway(), key.internalAddress());
        final var keys = perInternalHost.get(host);
        if (keys != null && keys.remove(key)) {
            if (keys.isEmpty()) {
                perInternalHost.remove(host);
            }
            if (key.internalAddress() instanceof Inet6Address v6) {
                final var hosts = ipv6Hosts.get(key.gateway());
                if (hosts != null) {
                    hosts.computeIfPresent(Ipv6Host.of(v6.getAddress()), (ip, held) -> held == 1 ? null : held - 1);
                    if (hosts.isEmpty()) {
                        ipv6Hosts.remove(key.gateway());
                    }
                }
            }
        }
    }
}
