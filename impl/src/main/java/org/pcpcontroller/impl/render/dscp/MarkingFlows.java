/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.dscp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.openflow.Cookies;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IPv6Address;
import org.projectfloodlight.openflow.types.IpDscp;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * The marking flows: one direction of a marked flow as a FLOW_MOD, in whatever version the switch speaks.
 */
final class MarkingFlows {
    private static final long MAPPING_BITS = (1L << 40) - 1;
    /** No buffering on output: OFPCML_NO_BUFFER. */
    private static final int NO_BUFFER = 0xffff;

    private MarkingFlows() {
        // utility
    }

    /**
     * Cookie of a marking flow: the DSCP prefix and 40 bits of the mapping's hash. A collision is harmless: flows
     * are added and deleted by their match and priority, the cookie only says the flow is ours.
     */
    static U64 dscpCookie(final Object mappingKey) {
        // spread the 32-bit hash over the 40 bits with a Fibonacci multiplier
        return U64.of(Cookies.DSCP.getValue()
            | Integer.toUnsignedLong(mappingKey.hashCode()) * 0x9E37_79B9_7F4A_7C15L >>> 24 & MAPPING_BITS);
    }

    /**
     * The match of one direction of a marked flow.
     */
    static Match match(final OFFactory factory, final MarkedFlow flow) {
        final var builder = factory.buildMatch();
        final boolean v4 = flow.ipv4();
        builder.setExact(MatchField.ETH_TYPE, v4 ? EthType.IPv4 : EthType.IPv6);
        final var source = flow.source();
        final var destination = flow.destination();
        if (v4) {
            if (source != null) {
                builder.setExact(MatchField.IPV4_SRC, ipv4(source));
            }
            if (destination != null) {
                builder.setExact(MatchField.IPV4_DST, ipv4(destination));
            }
        } else {
            if (source != null) {
                builder.setExact(MatchField.IPV6_SRC, IPv6Address.of(source.getAddress()));
            }
            if (destination != null) {
                builder.setExact(MatchField.IPV6_DST, IPv6Address.of(destination.getAddress()));
            }
        }
        if (flow.protocol() != 0) {
            builder.setExact(MatchField.IP_PROTO, IpProtocol.of((short) flow.protocol()));
            // Ports can only be matched once the protocol is known to have them (OpenFlow 1.3 table 12 prerequisites).
            final var fields = switch (flow.protocol()) {
                case 6 -> List.of(MatchField.TCP_SRC, MatchField.TCP_DST);
                case 17 -> List.of(MatchField.UDP_SRC, MatchField.UDP_DST);
                case 132 -> List.of(MatchField.SCTP_SRC, MatchField.SCTP_DST);
                default -> List.<MatchField<TransportPort>>of();
            };
            if (!fields.isEmpty()) {
                if (flow.sourcePort() != 0) {
                    builder.setExact(fields.get(0), TransportPort.of(flow.sourcePort()));
                }
                if (flow.destinationPort() != 0) {
                    builder.setExact(fields.get(1), TransportPort.of(flow.destinationPort()));
                }
            }
        }
        return builder.build();
    }

    /**
     * Installs one direction of a marked flow: set the DSCP, then continue where the gateway's policy says.
     */
    static OFMessage addMarking(final OFFactory factory, final MarkedFlow flow, final GatewayView.Marking policy,
            final int hardTimeout) {
        final var actions = new ArrayList<OFAction>(2);
        actions.add(factory.actions().setField(factory.oxms().ipDscp(IpDscp.of((byte) flow.dscp()))));
        final var instructions = new ArrayList<OFInstruction>(2);
        if (policy.gotoTable().isEmpty()) {
            actions.add(factory.actions().output(OFPort.NORMAL, NO_BUFFER));
            instructions.add(factory.instructions().applyActions(actions));
        } else {
            instructions.add(factory.instructions().applyActions(actions));
            instructions.add(factory.instructions().gotoTable(TableId.of(policy.gotoTable().getAsInt())));
        }
        return factory.buildFlowAdd()
            .setTableId(TableId.of(policy.tableId()))
            .setPriority(policy.priority())
            .setCookie(flow.cookie())
            .setHardTimeout(hardTimeout)
            // the switch tells us when the safety-net timeout removed a flow the store still holds
            .setFlags(Set.of(OFFlowModFlags.SEND_FLOW_REM))
            .setBufferId(OFBufferId.NO_BUFFER)
            .setMatch(match(factory, flow))
            .setInstructions(instructions)
            .build();
    }

    /**
     * Deletes exactly one marking flow, by its match and priority, and only if it carries our cookie.
     */
    static OFMessage deleteMarking(final OFFactory factory, final Match match, final int tableId, final int priority,
            final U64 cookie) {
        return factory.buildFlowDeleteStrict()
            .setTableId(TableId.of(tableId))
            .setPriority(priority)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(cookie)
            .setCookieMask(U64.NO_MASK)
            .setMatch(match)
            .build();
    }

    private static IPv4Address ipv4(final InetAddress address) {
        return IPv4Address.of(address.getAddress());
    }
}
