/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.operator;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.IpProtocol;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Opcode;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMappingInput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RpcMappingKey;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.engine.PortAllocator;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingStore;

/**
 * Turns operator RPC input into mappings, checked against the gateway. An operator is trusted with the permission
 * rules and quotas that bind PCP clients, but not with what the gateway cannot do: addresses outside its prefixes,
 * external addresses it does not own, ports outside its range, mixed address families, taken ports.
 */
final class OperatorRequests {
    private OperatorRequests() {
        // utility class
    }

    /**
     * The key a request names, checked for shape (RFC 6887 sections 11.1 and 12.1).
     */
    static MappingKey key(final RpcMappingKey input) throws InvalidRequestException {
        final var gateway = input.requireGatewayId().getValue();
        final var protocol = input.requireProtocol();
        final var internal = BindingMappings.inet(input.requireInternalAddress());
        final int internalPort = input.requireInternalPort().getValue().toJava();
        if (protocol == IpProtocol.All && internalPort != 0) {
            throw new InvalidRequestException("protocol all requires internal-port 0");
        }
        final var opcode = input.getOpcode() == null ? Opcode.Map : input.getOpcode();
        return switch (opcode) {
            case Map -> {
                if (input.getRemotePeerAddress() != null || input.getRemotePeerPort() != null) {
                    throw new InvalidRequestException("remote-peer-address and remote-peer-port apply to peer only");
                }
                yield new MappingKey.Map(gateway, protocol.getIntValue(), internal, internalPort);
            }
            case Peer -> {
                if (input.getRemotePeerAddress() == null || input.getRemotePeerPort() == null) {
                    throw new InvalidRequestException("a peer mapping needs remote-peer-address and remote-peer-port");
                }
                final var remote = BindingMappings.inet(input.getRemotePeerAddress());
                final int remotePort = input.getRemotePeerPort().getValue().toJava();
                if (protocol == IpProtocol.All || internalPort == 0 || remotePort == 0) {
                    throw new InvalidRequestException("a peer mapping needs a protocol and non-zero ports");
                }
                if (remote.getClass() != internal.getClass()) {
                    throw new InvalidRequestException("remote-peer-address " + remote.getHostAddress()
                        + " is not of the family of internal-address " + internal.getHostAddress());
                }
                yield new MappingKey.Peer(gateway, protocol.getIntValue(), internal, internalPort, remote, remotePort);
            }
            case Announce -> throw new InvalidRequestException("opcode announce does not create mappings");
        };
    }

    /**
     * The mapping an add-mapping request asks for, with its external endpoint chosen.
     */
    static Mapping mapping(final AddMappingInput input, final GatewayView gateway, final MappingStore store,
            final Instant now) throws InvalidRequestException {
        final var key = key(input);
        final var internal = key.internalAddress();
        if (!gateway.isInternal(internal)) {
            throw new InvalidRequestException("internal-address " + internal.getHostAddress()
                + " is not inside the internal prefixes " + gateway.internalPrefixes() + " of gateway " + gateway.id());
        }
        if (store.get(key).isPresent()) {
            throw new InvalidRequestException(ErrorTag.DATA_EXISTS, "mapping " + key
                + " already exists; refresh or remove it");
        }

        final InetAddress external;
        if (input.getExternalAddress() != null) {
            external = BindingMappings.inet(input.getExternalAddress());
            if (external.getClass() != internal.getClass()) {
                throw new InvalidRequestException("external-address " + external.getHostAddress()
                    + " is not of the family of internal-address " + internal.getHostAddress());
            }
            if (!gateway.canUseExternal(internal, external)) {
                throw new InvalidRequestException(internal instanceof Inet4Address
                    ? "external-address " + external.getHostAddress() + " is not an external address of gateway "
                        + gateway.id() + " " + gateway.externalAddresses()
                    : "an IPv6 mapping is a firewall pinhole: external-address must equal internal-address");
            }
        } else {
            external = gateway.defaultExternalAddress(internal).orElseThrow(() -> new InvalidRequestException(
                "gateway " + gateway.id() + " has no IPv4 external address"));
        }

        final int externalPort = externalPort(input, key, gateway, store, external);
        final var lifetime = input.getLifetime();
        final var flow = input.getFlowPriority();
        return new Mapping(key, external, externalPort, Origin.OPERATOR, null, null, now,
            lifetime == null ? null : now.plus(Duration.ofSeconds(lifetime.getValue().toJava())),
            input.getDescription(),
            flow == null ? null : new FlowPriority(flow.requireDscpUp().getValue().toJava(),
                flow.requireDscpDown().getValue().toJava()),
            List.of());
    }

    private static int externalPort(final AddMappingInput input, final MappingKey key, final GatewayView gateway,
            final MappingStore store, final InetAddress external) throws InvalidRequestException {
        final int internalPort = key.internalPort();
        final var requested = input.getExternalPort() == null ? null : input.getExternalPort().getValue().toJava();
        if (requested != null) {
            if (internalPort == 0 && requested != 0) {
                // "all ports" maps the whole port space unchanged
                throw new InvalidRequestException("internal-port 0 (all ports) requires external-port 0");
            }
            if (!(key.internalAddress() instanceof Inet4Address) && requested != internalPort) {
                // a pinhole does not translate ports
                throw new InvalidRequestException("an IPv6 mapping is a firewall pinhole: external-port must equal "
                    + "internal-port");
            }
            if (internalPort != 0 && key.internalAddress() instanceof Inet4Address
                    && !gateway.externalPorts().contains(requested)) {
                throw new InvalidRequestException("external-port " + requested + " is outside the range "
                    + gateway.externalPorts() + " of gateway " + gateway.id());
            }
        }
        final int suggested = requested == null ? 0 : requested;
        // The operator is not bound by the permission rules; the requested port, if any, is the only one.
        return switch (PortAllocator.allocate(gateway, store, key, external, suggested, requested != null, false)) {
            case PortAllocator.Allocation.Assigned assigned -> assigned.port();
            case PortAllocator.Allocation.Exhausted exhausted -> throw new InvalidRequestException(
                ErrorTag.RESOURCE_DENIED, "no free external port in " + gateway.externalPorts() + " of gateway "
                    + gateway.id());
            default -> {
                final int port = requested != null ? requested : internalPort;
                final var holder = store.conflictingOwner(new ExternalEndpoint(key.gateway(), key.protocol(),
                    external, port), key.internalEndpoint());
                throw new InvalidRequestException(ErrorTag.DATA_EXISTS, "external " + external.getHostAddress()
                    + " port " + port + " is already mapped"
                    + (holder == null ? "" : " to " + holder.address().getHostAddress() + " port " + holder.port()));
            }
        };
    }
}
