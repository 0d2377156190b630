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
import java.util.List;
import java.util.Optional;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;

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

    private final HashMap<String, HashMap<MappingKey, Mapping>> byGateway = new HashMap<>();
    private final HashMap<ExternalEndpoint, Owner> byExternal = new HashMap<>();
    /** Mappings per (external address, protocol), to answer "any port in use" for port-0 mappings. */
    private final HashMap<AddressProtocol, Integer> perAddressProtocol = new HashMap<>();
    /** Mappings per internal host, for quotas. */
    private final HashMap<InternalHost, Integer> perInternalHost = new HashMap<>();

    Optional<Mapping> get(final MappingKey key) {
        final var mappings = byGateway.get(key.gateway());
        return mappings == null ? Optional.empty() : Optional.ofNullable(mappings.get(key));
    }

    int size(final String gateway) {
        final var mappings = byGateway.get(gateway);
        return mappings == null ? 0 : mappings.size();
    }

    int countForInternalHost(final String gateway, final InetAddress internal) {
        return perInternalHost.getOrDefault(new InternalHost(gateway, internal), 0);
    }

    List<Mapping> mappings(final String gateway) {
        final var mappings = byGateway.get(gateway);
        return mappings == null ? List.of() : new ArrayList<>(mappings.values());
    }

    /**
     * Whether a mapping uses exactly this external endpoint.
     */
    boolean uses(final ExternalEndpoint external) {
        return byExternal.containsKey(external);
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
                if (port == 0 && perAddressProtocol.getOrDefault(new AddressProtocol(gw, addr, specific), 0) > 0) {
                    return anyOwner(gw, addr, specific, owner);
                }
            }
        }
        if (port == 0 && perAddressProtocol.getOrDefault(new AddressProtocol(gw, addr, proto), 0) > 0) {
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

    // Called only when some mapping uses (addr, proto): find one whose owner differs. Rare (port-0 mappings only).
    private @Nullable InternalEndpoint anyOwner(final String gw, final InetAddress addr, final int proto,
            final InternalEndpoint owner) {
        for (var entry : byExternal.entrySet()) {
            final var ext = entry.getKey();
            if (ext.gateway().equals(gw) && ext.address().equals(addr) && ext.protocol() == proto
                && !entry.getValue().internal().equals(owner)) {
                return entry.getValue().internal();
            }
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

    private void index(final Mapping mapping) {
        final var key = mapping.key();
        byExternal.merge(mapping.externalEndpoint(), new Owner(key.internalEndpoint(), 1),
            (old, added) -> old.plus(1));
        perAddressProtocol.merge(new AddressProtocol(key.gateway(), mapping.externalAddress(), key.protocol()), 1,
            Integer::sum);
        perInternalHost.merge(new InternalHost(key.gateway(), key.internalAddress()), 1, Integer::sum);
    }

    private void unindex(final Mapping mapping) {
        final var key = mapping.key();
        byExternal.computeIfPresent(mapping.externalEndpoint(),
            (ext, owner) -> owner.references() == 1 ? null : owner.plus(-1));
        perAddressProtocol.computeIfPresent(new AddressProtocol(key.gateway(), mapping.externalAddress(),
            key.protocol()), (ap, count) -> count == 1 ? null : count - 1);
        perInternalHost.computeIfPresent(new InternalHost(key.gateway(), key.internalAddress()),
            (host, count) -> count == 1 ? null : count - 1);
    }
}
