/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;
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
     * The ports in use on one external address and protocol: a bitmap of the 65536 ports (8 KiB), so that finding a
     * free port or a used one costs at most 1024 word reads, whatever the number of mappings.
     */
    private static final class PortSet {
        private final long[] words = new long[1024];
        private int size;

        void add(final int port) {
            final long bit = 1L << port;
            if ((words[port >>> 6] & bit) == 0) {
                words[port >>> 6] |= bit;
                size++;
            }
        }

        void remove(final int port) {
            final long bit = 1L << port;
            if ((words[port >>> 6] & bit) != 0) {
                words[port >>> 6] &= ~bit;
                size--;
            }
        }

        boolean isEmpty() {
            return size == 0;
        }

        // first used port at or above from, up to to; -1 if none
        int nextUsed(final int from, final int to) {
            for (int port = from; port <= to; ) {
                final long word = words[port >>> 6] >>> (port & 63);
                if (word != 0) {
                    final int found = port + Long.numberOfTrailingZeros(word);
                    return found <= to ? found : -1;
                }
                port = (port | 63) + 1;
            }
            return -1;
        }

        // first free port at or above from, up to to; -1 if none
        int nextFree(final int from, final int to) {
            for (int port = from; port <= to; ) {
                final long word = ~words[port >>> 6] >>> (port & 63);
                if (word != 0) {
                    final int found = port + Long.numberOfTrailingZeros(word);
                    return found <= to ? found : -1;
                }
                port = (port | 63) + 1;
            }
            return -1;
        }
    }

    private final HashMap<String, HashMap<MappingKey, Mapping>> byGateway = new HashMap<>();
    private final HashMap<ExternalEndpoint, Owner> byExternal = new HashMap<>();
    /** Used ports per (external address, protocol): free-port search, and "any port in use" for port 0. */
    private final HashMap<AddressProtocol, PortSet> usedPorts = new HashMap<>();
    /** Mappings per internal host, for quotas and "delete all my mappings". */
    private final HashMap<InternalHost, HashSet<MappingKey>> perInternalHost = new HashMap<>();

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
     * to the start of the range; -1 if all are used.
     */
    int nextFreePort(final String gateway, final InetAddress address, final int protocol, final PortRange range,
            final int from) {
        final var used = usedPorts.get(new AddressProtocol(gateway, address, protocol));
        final int start = range.contains(from) ? from : range.start();
        if (used == null) {
            return start;
        }
        final int found = used.nextFree(start, range.end());
        return found >= 0 ? found : used.nextFree(range.start(), start - 1);
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
        int port = used.nextUsed(0, 65535);
        while (port >= 0) {
            final var holder = byExternal.get(new ExternalEndpoint(gw, proto, addr, port));
            if (holder != null && !holder.internal().equals(owner)) {
                return holder.internal();
            }
            port = port < 65535 ? used.nextUsed(port + 1, 65535) : -1;
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
                if (!java.util.Arrays.equals(ports.words, expected.words) || ports.size != expected.size) {
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
        perInternalHost.computeIfAbsent(new InternalHost(key.gateway(), key.internalAddress()),
            host -> new HashSet<>(4)).add(key);
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
        if (keys != null && keys.remove(key) && keys.isEmpty()) {
            perInternalHost.remove(host);
        }
    }
}
