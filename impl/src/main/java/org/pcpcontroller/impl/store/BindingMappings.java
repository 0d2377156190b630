/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.WriteOperations;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.IpProtocol;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.MappingCommon;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Nonce;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Origin;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.FlowPriorityBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.MapBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.MapKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Peer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.PeerBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.PeerKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.map.Filter;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.map.FilterBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.map.FilterKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.KeyStep;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;

/**
 * Converts between {@link Mapping} and the pcp-mapping binding objects, and builds their datastore paths.
 */
public final class BindingMappings {
    private BindingMappings() {
        // utility class
    }

    public static DataObjectIdentifier<Gateway> gatewayPath(final String gateway) {
        return DataObjectIdentifier.builder(Mappings.class)
            .child(Gateway.class, new GatewayKey(new GatewayId(gateway)))
            .build();
    }

    public static DataObjectIdentifier<?> path(final MappingKey key) {
        return switch (key) {
            case MappingKey.Map map -> DataObjectIdentifier.builder(Mappings.class)
                .child(Gateway.class, new GatewayKey(new GatewayId(map.gateway())))
                .child(Map.class, mapKey(map))
                .build();
            case MappingKey.Peer peer -> DataObjectIdentifier.builder(Mappings.class)
                .child(Gateway.class, new GatewayKey(new GatewayId(peer.gateway())))
                .child(Peer.class, new PeerKey(address(peer.internalAddress()), port(peer.internalPort()),
                    protocol(peer.protocol()), address(peer.remotePeerAddress()), port(peer.remotePeerPort())))
                .build();
        };
    }

    /**
     * The gateway a path below {@code /mappings/gateway} belongs to.
     */
    public static String gatewayOf(final DataObjectIdentifier<?> path) {
        for (var step : path.steps()) {
            if (step instanceof KeyStep<?, ?> keyStep && keyStep.key() instanceof GatewayKey key) {
                return key.getGatewayId().getValue();
            }
        }
        throw new IllegalArgumentException("no gateway in " + path);
    }

    public static MapKey mapKey(final MappingKey.Map key) {
        return new MapKey(address(key.internalAddress()), port(key.internalPort()), protocol(key.protocol()));
    }

    /**
     * Writes a mapping into the configuration datastore, creating its gateway entry if needed.
     */
    public static void put(final WriteOperations tx, final Mapping mapping) {
        mergeGateway(tx, mapping.key().gateway());
        putUnderGateway(tx, mapping);
    }

    /**
     * Creates a gateway's entry (and the mappings container) unless it exists; a put below it then needs no
     * parent structure of its own. Many puts under one gateway in one transaction need this once, not per put.
     */
    public static void mergeGateway(final WriteOperations tx, final String gateway) {
        tx.mergeParentStructureMerge(LogicalDatastoreType.CONFIGURATION, gatewayPath(gateway),
            new GatewayBuilder().setGatewayId(new GatewayId(gateway)).build());
    }

    /**
     * Writes a mapping into the configuration datastore; the same transaction must already have merged its gateway
     * entry ({@link #mergeGateway}).
     */
    public static void putUnderGateway(final WriteOperations tx, final Mapping mapping) {
        putUnderGateway(tx, mapping.key().gateway(), toBinding(mapping));
    }

    /**
     * Writes a mapping already converted ({@link #toBinding}) under its gateway's entry, which the same transaction
     * must already have merged.
     */
    static void putUnderGateway(final WriteOperations tx, final String gateway, final MappingCommon binding) {
        switch (binding) {
            case Map map -> tx.put(LogicalDatastoreType.CONFIGURATION,
                gatewayPath(gateway).toBuilder().child(Map.class, map.key()).build(), map);
            case Peer peer -> tx.put(LogicalDatastoreType.CONFIGURATION,
                gatewayPath(gateway).toBuilder().child(Peer.class, peer.key()).build(), peer);
            default -> throw new IllegalStateException("Unexpected binding " + binding);
        }
    }

    /**
     * Records a renderer's status of a mapping in the operational datastore. The mapping's own leaves come along:
     * the operational datastore checks mandatory leaves too, and an operator reading it sees what was rendered.
     * Merged, so that the other renderers' statuses stay.
     */
    public static void mergeRenderStatus(final WriteOperations tx, final Mapping mapping, final RenderStatus status) {
        final var statuses = java.util.Map.of(status.key(), status);
        switch (toBinding(mapping)) {
            case Map map -> tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL,
                gatewayPath(mapping.key().gateway()).toBuilder().child(Map.class, map.key()).build(),
                new MapBuilder(map).setRenderStatus(statuses).build());
            case Peer peer -> tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL,
                gatewayPath(mapping.key().gateway()).toBuilder().child(Peer.class, peer.key()).build(),
                new PeerBuilder(peer).setRenderStatus(statuses).build());
            default -> throw new IllegalStateException("Unexpected binding for " + mapping.key());
        }
    }

    /**
     * Forgets a mapping's render statuses (operational datastore). The gateway node is merged first because a
     * delete under a node that does not exist fails the whole transaction.
     */
    public static void deleteRenderStatus(final WriteOperations tx, final MappingKey key) {
        tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL, gatewayPath(key.gateway()),
            new GatewayBuilder().setGatewayId(new GatewayId(key.gateway())).build());
        tx.delete(LogicalDatastoreType.OPERATIONAL, path(key));
    }

    /**
     * The binding object of a mapping: a {@link Map} or a {@link Peer}.
     *
     * @throws IllegalArgumentException if the mapping breaks a restriction of the model
     */
    public static MappingCommon toBinding(final Mapping mapping) {
        return switch (mapping.key()) {
            case MappingKey.Map key -> {
                final var builder = new MapBuilder()
                    .setProtocol(protocol(key.protocol()))
                    .setInternalAddress(address(key.internalAddress()))
                    .setInternalPort(port(key.internalPort()));
                fillCommon(mapping, builder::setExternalAddress, builder::setExternalPort, builder::setOrigin,
                    builder::setClientAddress, builder::setNonce, builder::setCreated, builder::setExpires,
                    builder::setDescription, builder::setFlowPriority);
                if (!mapping.filters().isEmpty()) {
                    final var filters = new LinkedHashMap<FilterKey, Filter>();
                    for (var filter : mapping.filters()) {
                        final var built = new FilterBuilder()
                            .setRemotePeerAddress(address(filter.remotePeerAddress()))
                            .setPrefixLength(Uint8.valueOf(filter.prefixLength()))
                            .setRemotePeerPort(port(filter.remotePeerPort()))
                            .build();
                        filters.put(built.key(), built);
                    }
                    builder.setFilter(filters);
                }
                yield builder.build();
            }
            case MappingKey.Peer key -> {
                final var builder = new PeerBuilder()
                    .setProtocol(protocol(key.protocol()))
                    .setInternalAddress(address(key.internalAddress()))
                    .setInternalPort(port(key.internalPort()))
                    .setRemotePeerAddress(address(key.remotePeerAddress()))
                    .setRemotePeerPort(port(key.remotePeerPort()));
                fillCommon(mapping, builder::setExternalAddress, builder::setExternalPort, builder::setOrigin,
                    builder::setClientAddress, builder::setNonce, builder::setCreated, builder::setExpires,
                    builder::setDescription, builder::setFlowPriority);
                yield builder.build();
            }
        };
    }

    /**
     * The mapping stored as a {@link Map} of a gateway.
     */
    public static Mapping fromBinding(final String gateway, final Map map) {
        final var key = new MappingKey.Map(gateway, map.requireProtocol().getIntValue(),
            inet(map.requireInternalAddress()), map.requireInternalPort().getValue().toJava());
        final var filters = new ArrayList<org.pcpcontroller.api.mapping.Filter>();
        for (var filter : map.nonnullFilter().values()) {
            filters.add(new org.pcpcontroller.api.mapping.Filter(inet(filter.requireRemotePeerAddress()),
                filter.requirePrefixLength().toJava(), filter.requireRemotePeerPort().getValue().toJava()));
        }
        return fromCommon(key, map, filters);
    }

    /**
     * The mapping stored as a {@link Peer} of a gateway.
     */
    public static Mapping fromBinding(final String gateway, final Peer peer) {
        final var key = new MappingKey.Peer(gateway, peer.requireProtocol().getIntValue(),
            inet(peer.requireInternalAddress()), peer.requireInternalPort().getValue().toJava(),
            inet(peer.requireRemotePeerAddress()), peer.requireRemotePeerPort().getValue().toJava());
        return fromCommon(key, peer, List.of());
    }

    private static Mapping fromCommon(final MappingKey key, final MappingCommon common,
            final List<org.pcpcontroller.api.mapping.Filter> filters) {
        final var nonce = common.getNonce();
        final var flow = common.getFlowPriority();
        final var client = common.getClientAddress();
        return new Mapping(key, inet(common.requireExternalAddress()),
            common.requireExternalPort().getValue().toJava(),
            origin(common.requireOrigin()),
            client == null ? null : inet(client),
            nonce == null ? null : org.pcpcontroller.api.mapping.Nonce.ofHex(nonce.getValue()),
            instant(common.requireCreated()),
            common.getExpires() == null ? null : instant(common.getExpires()),
            common.getDescription(),
            flow == null ? null : new FlowPriority(flow.requireDscpUp().getValue().toJava(),
                flow.requireDscpDown().getValue().toJava()),
            filters);
    }

    @SuppressWarnings("checkstyle:ParameterNumber")
    private static void fillCommon(final Mapping mapping,
            final java.util.function.Consumer<IpAddress> externalAddress,
            final java.util.function.Consumer<PortNumber> externalPort,
            final java.util.function.Consumer<Origin> origin,
            final java.util.function.Consumer<IpAddress> clientAddress,
            final java.util.function.Consumer<Nonce> nonce,
            final java.util.function.Consumer<DateAndTime> created,
            final java.util.function.Consumer<DateAndTime> expires,
            final java.util.function.Consumer<String> description,
            final java.util.function.Consumer<
                org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common
                    .FlowPriority> flow) {
        externalAddress.accept(address(mapping.externalAddress()));
        externalPort.accept(port(mapping.externalPort()));
        origin.accept(origin(mapping.origin()));
        if (mapping.clientAddress() != null) {
            clientAddress.accept(address(mapping.clientAddress()));
        }
        if (mapping.nonce() != null) {
            nonce.accept(new Nonce(mapping.nonce().toHex()));
        }
        created.accept(dateAndTime(mapping.created()));
        if (mapping.expires() != null) {
            expires.accept(dateAndTime(mapping.expires()));
        }
        if (mapping.description() != null) {
            description.accept(mapping.description());
        }
        final var priority = mapping.flowPriority();
        if (priority != null) {
            flow.accept(new FlowPriorityBuilder()
                .setDscpUp(new Dscp(Uint8.valueOf(priority.dscpUp())))
                .setDscpDown(new Dscp(Uint8.valueOf(priority.dscpDown())))
                .build());
        }
    }

    public static IpAddress address(final InetAddress address) {
        return IetfInetUtil.ipAddressFor(address);
    }

    public static InetAddress inet(final IpAddress address) {
        return IetfInetUtil.inetAddressFor(address);
    }

    public static PortNumber port(final int port) {
        return new PortNumber(Uint16.valueOf(port));
    }

    /**
     * The YANG protocol enumeration for an IANA protocol number.
     *
     * @throws IllegalArgumentException for a protocol the model cannot express
     */
    public static IpProtocol protocol(final int protocol) {
        final var value = IpProtocol.forValue(protocol);
        if (value == null) {
            throw new IllegalArgumentException("Unsupported protocol " + protocol);
        }
        return value;
    }

    public static Origin origin(final org.pcpcontroller.api.mapping.Origin origin) {
        return switch (origin) {
            case PCP -> Origin.Pcp;
            case NAT_PMP -> Origin.NatPmp;
            case OPERATOR -> Origin.Operator;
        };
    }

    public static org.pcpcontroller.api.mapping.Origin origin(final Origin origin) {
        return switch (origin) {
            case Pcp -> org.pcpcontroller.api.mapping.Origin.PCP;
            case NatPmp -> org.pcpcontroller.api.mapping.Origin.NAT_PMP;
            case Operator -> org.pcpcontroller.api.mapping.Origin.OPERATOR;
        };
    }

    // Millisecond precision: enough for leases, and it keeps the stored text short and stable.
    public static DateAndTime dateAndTime(final Instant instant) {
        return new DateAndTime(instant.truncatedTo(ChronoUnit.MILLIS).toString());
    }

    public static Instant instant(final DateAndTime value) {
        return instant(value.getValue());
    }

    static Instant instant(final String text) {
        final var fast = parseUtc(text);
        return fast != null ? fast : java.time.OffsetDateTime.parse(text).toInstant();
    }

    /**
     * Parses what {@link #dateAndTime} writes, {@code yyyy-mm-ddThh:mm:ss[.fff]Z}, without a DateTimeFormatter: every
     * change listener converts each changed mapping, and the general parser cost more than the rest of the
     * conversion. Null for any other form (offsets, other fractions), which the general parser then reads.
     */
    static @Nullable Instant parseUtc(final String text) {
        final int length = text.length();
        if (length != 20 && length != 24 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || length == 24 && text.charAt(19) != '.') {
            return null;
        }
        final int year = digits(text, 0, 4);
        final int month = digits(text, 5, 2);
        final int day = digits(text, 8, 2);
        final int hour = digits(text, 11, 2);
        final int minute = digits(text, 14, 2);
        final int second = digits(text, 17, 2);
        final int millis = length == 24 ? digits(text, 20, 3) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59 || millis < 0
                || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        final long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
    }

    // the decimal number of count digits at from, or -1 if one is not a digit
    private static int digits(final String text, final int from, final int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            final char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            value = value * 10 + ch - '0';
        }
        return value;
    }
}
