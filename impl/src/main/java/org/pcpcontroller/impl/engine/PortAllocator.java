/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalInt;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.net.PortRange;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.store.MappingStore;

/**
 * Chooses the external port of a new mapping on one gateway, external address and protocol. The preferred port (the
 * client's suggestion, else its internal port) is taken when it is free and permitted; otherwise the next free
 * permitted port of the gateway's range, wrapping around. Free ports come from the store's used-port index and
 * permitted ones from the permission rules as ranges, so the cost depends on the range and the rules, never on the
 * number of mappings.
 */
public final class PortAllocator {
    /**
     * The outcome of an allocation.
     */
    public sealed interface Allocation {
        /**
         * A port was found.
         */
        record Assigned(int port) implements Allocation {
        }

        /**
         * The permission rules allow no port of the range for this internal endpoint.
         */
        record NotPermitted() implements Allocation {
        }

        /**
         * Every permitted port is taken.
         */
        record Exhausted() implements Allocation {
        }

        /**
         * The client insisted on its suggestion (PREFER_FAILURE) and it cannot be given.
         */
        record SuggestionRefused() implements Allocation {
        }
    }

    private PortAllocator() {
        // utility class
    }

    /**
     * Allocates the external port for a new mapping.
     *
     * @param gateway the gateway
     * @param store the mappings
     * @param key the new mapping
     * @param external the external address chosen for it
     * @param suggested the client's suggested external port, 0 for none
     * @param insist whether only the suggestion will do (PREFER_FAILURE)
     * @param applyPermissions whether the permission rules apply: they bind clients, not the operator
     */
    public static Allocation allocate(final GatewayView gateway, final MappingStore store, final MappingKey key,
            final InetAddress external, final int suggested, final boolean insist, final boolean applyPermissions) {
        final int internalPort = key.internalPort();
        if (internalPort == 0 || !(key.internalAddress() instanceof Inet4Address)) {
            // "All ports", and IPv6 pinholes, do not translate ports: the only candidate is the internal port.
            final int port = internalPort;
            if (insist && suggested != 0 && suggested != port) {
                return new Allocation.SuggestionRefused();
            }
            if (applyPermissions && !gateway.permits(port, key.internalAddress(), internalPort)) {
                return insist ? new Allocation.SuggestionRefused() : new Allocation.NotPermitted();
            }
            if (!isFree(store, key, external, port)) {
                return insist ? new Allocation.SuggestionRefused() : new Allocation.Exhausted();
            }
            return new Allocation.Assigned(port);
        }

        final var permitted = applyPermissions ? gateway.permittedExternalPorts(key.internalAddress(), internalPort)
            : List.of(gateway.externalPorts());
        final int preferred = suggested != 0 ? suggested : internalPort;
        final boolean preferredPermitted = permitted.stream().anyMatch(range -> range.contains(preferred));
        if (preferredPermitted && isFree(store, key, external, preferred)) {
            return new Allocation.Assigned(preferred);
        }
        if (insist) {
            return new Allocation.SuggestionRefused();
        }
        if (permitted.isEmpty()) {
            return new Allocation.NotPermitted();
        }
        // First the permitted ports above the preferred one, then wrap around to those below it.
        for (var range : permitted) {
            if (range.end() > preferred) {
                final var port = search(store, key, external, range, Math.max(range.start(), preferred + 1));
                if (port.isPresent()) {
                    return new Allocation.Assigned(port.getAsInt());
                }
            }
        }
        for (var range : permitted) {
            if (range.start() <= preferred) {
                final var port = search(store, key, external, new PortRange(range.start(),
                    Math.min(range.end(), preferred)), range.start());
                if (port.isPresent()) {
                    return new Allocation.Assigned(port.getAsInt());
                }
            }
        }
        return new Allocation.Exhausted();
    }

    // The first port of range at or above from that is free for key. Never wraps.
    private static OptionalInt search(final MappingStore store, final MappingKey key, final InetAddress external,
            final PortRange range, final int from) {
        int next = from;
        while (next <= range.end()) {
            final var candidate = store.nextFreePort(key.gateway(), external, key.protocol(), range, next);
            if (candidate.isEmpty() || candidate.getAsInt() < next) {
                // none left, or the store wrapped around to the start of the range
                return OptionalInt.empty();
            }
            // unused on this protocol; a wildcard (protocol 0 or port 0) mapping may still cover it
            if (isFree(store, key, external, candidate.getAsInt())) {
                return candidate;
            }
            next = candidate.getAsInt() + 1;
        }
        return OptionalInt.empty();
    }

    private static boolean isFree(final MappingStore store, final MappingKey key, final InetAddress external,
            final int port) {
        return store.conflictingOwner(new ExternalEndpoint(key.gateway(), key.protocol(), external, port),
            key.internalEndpoint()) == null;
    }
}
