/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pcpcontroller.impl.openflow.Cookies;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterFlags;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBand;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;

/**
 * The punt flows and their meter, in whatever version the switch speaks: UDP to the PCP/NAT-PMP server port goes to
 * the controller, whole, through a meter that protects the controller from a flood.
 */
final class PuntFlows {
    /** The UDP port PCP and NAT-PMP servers listen on (RFC 6887 section 19.1, RFC 6886 section 3). */
    static final int SERVER_PORT = 5351;
    /** OFPCML_NO_BUFFER: the whole packet goes to the controller, nothing is buffered on the switch. */
    private static final int NO_BUFFER = 0xffff;

    private PuntFlows() {
        // utility
    }

    /**
     * Deletes every punt flow this controller installed (whatever priority or meter they had).
     */
    static OFFlowDelete delete(final OFFactory factory) {
        return factory.buildFlowDelete()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(Cookies.PUNT)
            .setCookieMask(Cookies.KIND_MASK)
            .build();
    }

    /**
     * The punt flows, IPv4 and IPv6, after a delete of any punt flow left from an earlier configuration (another
     * priority, another meter).
     *
     * @param meterId the meter to pass through, or 0 for none
     */
    static List<OFMessage> punt(final OFFactory factory, final int priority, final long meterId) {
        final var messages = new ArrayList<OFMessage>(3);
        messages.add(delete(factory));
        messages.addAll(flows(factory, priority, meterId));
        return messages;
    }

    /**
     * The punt flows alone, IPv4 and IPv6: what the flow audit expects to find and puts back where missing.
     *
     * @param meterId the meter to pass through, or 0 for none
     */
    static List<OFFlowAdd> flows(final OFFactory factory, final int priority, final long meterId) {
        final var flows = new ArrayList<OFFlowAdd>(2);
        for (var ethType : List.of(EthType.IPv4, EthType.IPv6)) {
            final var match = factory.buildMatch()
                .setExact(MatchField.ETH_TYPE, ethType)
                .setExact(MatchField.IP_PROTO, IpProtocol.UDP)
                .setExact(MatchField.UDP_DST, TransportPort.of(SERVER_PORT))
                .build();
            final var instructions = new ArrayList<OFInstruction>(2);
            final var actions = new ArrayList<OFAction>(2);
            if (meterId != 0) {
                // OpenFlow 1.5 made the meter an action (OFPAT_METER, section 7.2.5) instead of an instruction
                if (factory.getVersion().compareTo(OFVersion.OF_15) >= 0) {
                    actions.add(factory.actions().meter(meterId));
                } else {
                    instructions.add(factory.instructions().meter(meterId));
                }
            }
            actions.add(factory.actions().output(OFPort.CONTROLLER, NO_BUFFER));
            instructions.add(factory.instructions().applyActions(actions));
            flows.add(factory.buildFlowAdd()
                .setTableId(TableId.of(0))
                .setPriority(priority)
                .setCookie(Cookies.PUNT)
                // a switch that deletes the flow (an operator's del-flows) says so, and the flow audit puts it back
                // at once rather than at its next periodic round (OVS sends FLOW_REMOVED reason DELETE for these)
                .setFlags(Set.of(OFFlowModFlags.SEND_FLOW_REM))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setMatch(match)
                .setInstructions(instructions)
                .build());
        }
        return flows;
    }

    /**
     * The meter of the punt flows: drop above {@code rate} packets per second.
     */
    static OFMeterMod meter(final OFFactory factory, final OFMeterModCommand command, final long meterId,
            final long rate) {
        // a burst of one second's worth: a gateway's clients refresh in bursts after an epoch change
        final List<OFMeterBand> bands = List.of(factory.meterBands().drop(rate, rate));
        final var builder = factory.buildMeterMod()
            .setCommand(command)
            .setMeterId(meterId)
            .setFlags(Set.of(OFMeterFlags.PKTPS, OFMeterFlags.BURST));
        // the same list is "meters" in openflowj's OpenFlow 1.3 and "bands" from 1.4 on (as the specifications name
        // it); the other setter throws
        return (factory.getVersion().compareTo(OFVersion.OF_14) >= 0 ? builder.setBands(bands)
            : builder.setMeters(bands)).build();
    }
}
