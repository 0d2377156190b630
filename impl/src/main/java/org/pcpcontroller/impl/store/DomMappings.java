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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.IpProtocol;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Origin;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Peer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.map.Filter;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;

/**
 * Reads stored mappings straight from their DOM nodes. The binding objects validate every string leaf against its
 * pattern (addresses, times, the nonce) when they are built, which made reading a million mappings at start-up take
 * longer than the datastore's own recovery; the data read here was validated when it was written.
 * {@code DomMappingsTest} checks that both readings agree.
 */
final class DomMappings {
    // The path of the stored mappings, shared with the store's start-up and the renderers' change listener.
    static final NodeIdentifier MAPPINGS = NodeIdentifier.create(Mappings.QNAME);
    static final NodeIdentifier GATEWAY = NodeIdentifier.create(Gateway.QNAME);
    static final QName GATEWAY_ID = QName.create(Gateway.QNAME, "gateway-id").intern();
    static final NodeIdentifier MAP = NodeIdentifier.create(Map.QNAME);
    static final NodeIdentifier PEER = NodeIdentifier.create(Peer.QNAME);

    private static final NodeIdentifier PROTOCOL = leaf("protocol");
    private static final NodeIdentifier INTERNAL_ADDRESS = leaf("internal-address");
    private static final NodeIdentifier INTERNAL_PORT = leaf("internal-port");
    private static final NodeIdentifier REMOTE_ADDRESS = leaf("remote-peer-address");
    private static final NodeIdentifier REMOTE_PORT = leaf("remote-peer-port");
    private static final NodeIdentifier EXTERNAL_ADDRESS = leaf("external-address");
    private static final NodeIdentifier EXTERNAL_PORT = leaf("external-port");
    private static final NodeIdentifier ORIGIN = leaf("origin");
    private static final NodeIdentifier CLIENT_ADDRESS = leaf("client-address");
    private static final NodeIdentifier NONCE = leaf("nonce");
    private static final NodeIdentifier CREATED = leaf("created");
    private static final NodeIdentifier EXPIRES = leaf("expires");
    private static final NodeIdentifier DESCRIPTION = leaf("description");
    private static final NodeIdentifier FLOW_PRIORITY = NodeIdentifier.create(FlowPriority.QNAME);
    private static final NodeIdentifier DSCP_UP = NodeIdentifier.create(QName.create(FlowPriority.QNAME, "dscp-up"));
    private static final NodeIdentifier DSCP_DOWN = NodeIdentifier.create(
        QName.create(FlowPriority.QNAME, "dscp-down"));
    private static final NodeIdentifier FILTER = NodeIdentifier.create(Filter.QNAME);
    private static final NodeIdentifier PREFIX_LENGTH = NodeIdentifier.create(
        QName.create(Filter.QNAME, "prefix-length"));

    private DomMappings() {
        // utility class
    }

    // every mapping leaf is in the pcp-mapping module, whether in map, peer or filter
    private static NodeIdentifier leaf(final String name) {
        return NodeIdentifier.create(QName.create(Map.QNAME, name).intern());
    }

    /**
     * The mapping stored in an entry of a gateway's {@code map} list.
     *
     * @throws IllegalArgumentException if a mandatory leaf is missing or malformed
     */
    static Mapping fromMap(final String gateway, final DataContainerNode node) {
        final var key = mapKey(gateway, node);
        final var filters = new ArrayList<org.pcpcontroller.api.mapping.Filter>();
        if (node.childByArg(FILTER) instanceof MapNode list) {
            for (var filter : list.body()) {
                filters.add(new org.pcpcontroller.api.mapping.Filter(address(filter, REMOTE_ADDRESS),
                    ((Uint8) value(filter, PREFIX_LENGTH)).toJava(), port(filter, REMOTE_PORT)));
            }
        }
        return common(key, node, filters);
    }

    /**
     * The mapping stored in an entry of a gateway's {@code peer} list.
     *
     * @throws IllegalArgumentException if a mandatory leaf is missing or malformed
     */
    static Mapping fromPeer(final String gateway, final DataContainerNode node) {
        return common(peerKey(gateway, node), node, List.of());
    }

    /**
     * The key of an entry of a gateway's {@code map} list, read from its key leaves alone.
     *
     * @throws IllegalArgumentException if a key leaf is missing or malformed
     */
    static MappingKey.Map mapKey(final String gateway, final DataContainerNode node) {
        return new MappingKey.Map(gateway, protocol(node), address(node, INTERNAL_ADDRESS), port(node, INTERNAL_PORT));
    }

    /**
     * The key of an entry of a gateway's {@code peer} list, read from its key leaves alone.
     *
     * @throws IllegalArgumentException if a key leaf is missing or malformed
     */
    static MappingKey.Peer peerKey(final String gateway, final DataContainerNode node) {
        return new MappingKey.Peer(gateway, protocol(node), address(node, INTERNAL_ADDRESS), port(node, INTERNAL_PORT),
            address(node, REMOTE_ADDRESS), port(node, REMOTE_PORT));
    }

    private static Mapping common(final MappingKey key, final DataContainerNode node,
            final List<org.pcpcontroller.api.mapping.Filter> filters) {
        final var client = optional(node, CLIENT_ADDRESS);
        final var nonce = optional(node, NONCE);
        final var expires = optional(node, EXPIRES);
        org.pcpcontroller.api.mapping.FlowPriority priority = null;
        if (node.childByArg(FLOW_PRIORITY) instanceof DataContainerNode flow) {
            priority = new org.pcpcontroller.api.mapping.FlowPriority(((Uint8) value(flow, DSCP_UP)).toJava(),
                ((Uint8) value(flow, DSCP_DOWN)).toJava());
        }
        return new Mapping(key, address(node, EXTERNAL_ADDRESS), port(node, EXTERNAL_PORT),
            BindingMappings.origin(Origin.ofName((String) value(node, ORIGIN))),
            client == null ? null : InetAddresses.forString((String) client),
            nonce == null ? null : org.pcpcontroller.api.mapping.Nonce.ofHex((String) nonce),
            BindingMappings.instant((String) value(node, CREATED)),
            expires == null ? null : BindingMappings.instant((String) expires),
            (String) optional(node, DESCRIPTION), priority, filters);
    }

    /**
     * Whether two mappings are the same but for the order of their filters: the datastore keeps a keyed list in an
     * order of its own, so a mapping read back may list its filters differently.
     */
    static boolean same(final Mapping one, final Mapping other) {
        if (one.equals(other)) {
            return true;
        }
        return one.filters().size() == other.filters().size()
            && new HashSet<>(one.filters()).equals(new HashSet<>(other.filters()))
            && new Mapping(one.key(), one.externalAddress(), one.externalPort(), one.origin(), one.clientAddress(),
                one.nonce(), one.created(), one.expires(), one.description(), one.flowPriority(), other.filters())
                .equals(other);
    }

    /**
     * Whether a mapping node has FLOW_PRIORITY.
     */
    static boolean hasFlowPriority(final @Nullable DataContainerNode mapping) {
        return mapping != null && mapping.childByArg(FLOW_PRIORITY) != null;
    }

    private static int protocol(final DataContainerNode node) {
        return IpProtocol.ofName((String) value(node, PROTOCOL)).getIntValue();
    }

    private static InetAddress address(final DataContainerNode node, final NodeIdentifier leaf) {
        return InetAddresses.forString((String) value(node, leaf));
    }

    private static int port(final DataContainerNode node, final NodeIdentifier leaf) {
        return ((Uint16) value(node, leaf)).toJava();
    }

    private static Object value(final DataContainerNode node, final NodeIdentifier leaf) {
        final var value = optional(node, leaf);
        if (value == null) {
            throw new IllegalArgumentException("mapping " + node.name() + " has no "
                + leaf.getNodeType().getLocalName());
        }
        return value;
    }

    private static @Nullable Object optional(final DataContainerNode node, final NodeIdentifier leaf) {
        return node.childByArg(leaf) instanceof LeafNode<?> found ? found.body() : null;
    }
}
