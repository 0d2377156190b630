/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Epoch;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored mappings as start-up finds them, read entry by entry: an entry that cannot be read is set aside with
 * its reason, and every other one is served. One bad record (a leap second, an address with a zone, anything
 * written by hand or by another version) must not keep the store, and with it every ingress, from starting.
 *
 * @param mappings the entries read
 * @param epochs the epoch of each gateway that has a readable one
 * @param unreadable the entries set aside
 */
record StoredEntries(List<Mapping> mappings, Map<String, StoredEpoch> epochs, List<Unreadable> unreadable) {
    /**
     * Where a gateway's PCP epoch started, and for which external address (RFC 6887 section 8.5).
     */
    record StoredEpoch(Instant origin, @Nullable InetAddress externalAddress) {
    }

    /**
     * A stored entry that is not served.
     *
     * @param gateway its gateway
     * @param entry its path below the gateway in RESTCONF form, e.g. {@code map=udp,10.0.0.2,5000}
     * @param reason why it is not served
     * @param key its mapping key, when the key leaves could be read: a new mapping of that key replaces it
     */
    record Unreadable(String gateway, String entry, String reason, @Nullable MappingKey key) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(StoredEntries.class);
    static final NodeIdentifier EPOCH = NodeIdentifier.create(Epoch.QNAME);
    static final NodeIdentifier EPOCH_ORIGIN = NodeIdentifier.create(QName.create(Epoch.QNAME, "origin"));
    static final NodeIdentifier EPOCH_EXTERNAL = NodeIdentifier.create(QName.create(Epoch.QNAME, "external-address"));
    /** The key leaves of map and peer entries, in the order of their lists' key statements (RESTCONF's order). */
    private static final List<String> MAP_KEYS = List.of("protocol", "internal-address", "internal-port");
    private static final List<String> PEER_KEYS = List.of("protocol", "internal-address", "internal-port",
        "remote-peer-address", "remote-peer-port");

    StoredEntries {
        mappings = List.copyOf(mappings);
        epochs = Map.copyOf(epochs);
        unreadable = List.copyOf(unreadable);
    }

    /**
     * Reads the content of {@code /mappings}, or nothing when it is absent.
     */
    static StoredEntries read(final @Nullable NormalizedNode stored) {
        final var mappings = new ArrayList<Mapping>();
        final var epochs = new HashMap<String, StoredEpoch>();
        final var unreadable = new ArrayList<Unreadable>();
        if (stored instanceof DataContainerNode container
                && container.childByArg(DomMappings.GATEWAY) instanceof MapNode gateways) {
            for (var gateway : gateways.body()) {
                final var id = (String) gateway.name().getValue(DomMappings.GATEWAY_ID);
                final var epoch = epoch(id, gateway);
                if (epoch != null) {
                    epochs.put(id, epoch);
                }
                if (gateway.childByArg(DomMappings.MAP) instanceof MapNode maps) {
                    read(id, maps, "map", MAP_KEYS, DomMappings::fromMap, DomMappings::mapKey, mappings, unreadable);
                }
                if (gateway.childByArg(DomMappings.PEER) instanceof MapNode peers) {
                    read(id, peers, "peer", PEER_KEYS, DomMappings::fromPeer, DomMappings::peerKey, mappings,
                        unreadable);
                }
            }
        }
        return new StoredEntries(mappings, epochs, unreadable);
    }

    // Whatever a conversion throws on data it cannot represent, it is that entry's problem alone.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private static void read(final String gateway, final MapNode list, final String listName,
            final List<String> keyLeaves, final BiFunction<String, DataContainerNode, Mapping> mapping,
            final BiFunction<String, DataContainerNode, MappingKey> key, final List<Mapping> mappings,
            final List<Unreadable> unreadable) {
        for (var entry : list.body()) {
            try {
                mappings.add(mapping.apply(gateway, entry));
            } catch (RuntimeException e) {
                MappingKey readableKey;
                try {
                    readableKey = key.apply(gateway, entry);
                } catch (RuntimeException keyProblem) {
                    readableKey = null;
                }
                final var path = entryPath(listName, keyLeaves, entry.name());
                final var reason = reason(e);
                LOG.warn("Gateway {}: the stored entry {} cannot be read and is not served: {}", gateway, path,
                    reason);
                unreadable.add(new Unreadable(gateway, path, reason, readableKey));
            }
        }
    }

    // A bad epoch only means a new epoch: clients learn from it to refresh their mappings (RFC 6887 section 8.5).
    @SuppressWarnings("checkstyle:IllegalCatch")
    private static @Nullable StoredEpoch epoch(final String gateway, final DataContainerNode node) {
        if (node.childByArg(EPOCH) instanceof DataContainerNode epoch
                && epoch.childByArg(EPOCH_ORIGIN) instanceof LeafNode<?> origin) {
            try {
                final var external = epoch.childByArg(EPOCH_EXTERNAL) instanceof LeafNode<?> address
                    ? InetAddresses.forString((String) address.body()) : null;
                return new StoredEpoch(BindingMappings.instant((String) origin.body()), external);
            } catch (RuntimeException e) {
                LOG.warn("Gateway {}: the stored epoch cannot be read, a new epoch starts: {}", gateway, reason(e));
            }
        }
        return null;
    }

    /**
     * The path of a list entry below its gateway in RESTCONF form (RFC 8040 section 3.5.3): the key values in key
     * order, comma-separated, percent-encoded.
     */
    static String entryPath(final String listName, final List<String> keyLeaves,
            final NodeIdentifierWithPredicates name) {
        final var path = new StringBuilder(listName).append('=');
        for (int i = 0; i < keyLeaves.size(); i++) {
            if (i > 0) {
                path.append(',');
            }
            final var value = name.getValue(QName.create(name.getNodeType(), keyLeaves.get(i)));
            percentEncode(String.valueOf(value), path);
        }
        return path.toString();
    }

    /**
     * The path of a mapping's entry below its gateway in RESTCONF form, as {@link #entryPath} gives it for the stored
     * entry.
     */
    static String entryPath(final MappingKey key) {
        final var path = new StringBuilder();
        final var values = new ArrayList<String>();
        values.add(BindingMappings.protocol(key.protocol()).getName());
        values.add(BindingMappings.address(key.internalAddress()).stringValue());
        values.add(String.valueOf(key.internalPort()));
        switch (key) {
            case MappingKey.Map map -> path.append("map=");
            case MappingKey.Peer peer -> {
                path.append("peer=");
                values.add(BindingMappings.address(peer.remotePeerAddress()).stringValue());
                values.add(String.valueOf(peer.remotePeerPort()));
            }
        }
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                path.append(',');
            }
            percentEncode(values.get(i), path);
        }
        return path.toString();
    }

    static String mapPath(final NodeIdentifierWithPredicates name) {
        return entryPath("map", MAP_KEYS, name);
    }

    static String peerPath(final NodeIdentifierWithPredicates name) {
        return entryPath("peer", PEER_KEYS, name);
    }

    // everything but RFC 3986's unreserved characters
    private static void percentEncode(final String value, final StringBuilder out) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            final char ch = (char) (b & 0xff);
            if (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.'
                    || ch == '_' || ch == '~') {
                out.append(ch);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(ch >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(ch & 15, 16)));
            }
        }
    }

    private static String reason(final RuntimeException error) {
        return error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
    }
}
