/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * The flow audit's diff: wanted against what the switch reports, by table, priority, match and cookie; and one audit
 * at a time per switch.
 */
class FlowAuditTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final U64 MINE = U64.of(Cookies.DSCP.getValue() | 1);
    private static final U64 MINE_TOO = U64.of(Cookies.DSCP.getValue() | 2);

    private static Match udp(final int port) {
        return OF13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
            .setExact(MatchField.IP_PROTO, IpProtocol.UDP).setExact(MatchField.UDP_DST, TransportPort.of(port))
            .build();
    }

    private static OFFlowStatsEntry entry(final U64 cookie, final int priority, final Match match) {
        return OF13.buildFlowStatsEntry().setTableId(TableId.of(0)).setPriority(priority).setCookie(cookie)
            .setMatch(match).build();
    }

    private static FlowAudit.FlowId id(final U64 cookie, final int priority, final Match match) {
        return FlowAudit.FlowId.of(TableId.of(0), priority, cookie, match);
    }

    @Test
    void aFlowTheSwitchHoldsIsNeitherMissingNorStray() {
        final var wanted = List.of(id(MINE, 100, udp(9000)));
        final var diff = FlowAudit.diff(wanted, flow -> flow, List.of(entry(MINE, 100, udp(9000))), Cookies.DSCP);
        assertTrue(diff.isEmpty(), diff::toString);
    }

    @Test
    void theMatchIsComparedByFieldNotByTheOrderTheSwitchReportsThem() {
        final var reordered = OF13.buildMatch().setExact(MatchField.UDP_DST, TransportPort.of(9000))
            .setExact(MatchField.IP_PROTO, IpProtocol.UDP).setExact(MatchField.ETH_TYPE, EthType.IPv4).build();
        assertEquals(id(MINE, 100, udp(9000)), id(MINE, 100, reordered));
        assertFalse(id(MINE, 100, udp(9000)).equals(id(MINE, 100, udp(9001))));
    }

    @Test
    void aWantedFlowTheSwitchLacksIsMissingOnce() {
        final var wanted = List.of(id(MINE, 100, udp(9000)), id(MINE, 100, udp(9001)), id(MINE, 100, udp(9001)));
        final var diff = FlowAudit.diff(wanted, flow -> flow, List.of(entry(MINE, 100, udp(9000))), Cookies.DSCP);
        assertEquals(List.of(id(MINE, 100, udp(9001))), diff.missing());
        assertTrue(diff.strays().isEmpty(), diff::toString);
    }

    @Test
    void aFlowOfOursAtAnotherPriorityOrCookieIsAStrayAndTheWantedOneMissing() {
        final var wanted = List.of(id(MINE, 100, udp(9000)));
        final var otherPriority = entry(MINE, 99, udp(9000));
        final var otherCookie = entry(MINE_TOO, 100, udp(9000));
        final var diff = FlowAudit.diff(wanted, flow -> flow, List.of(otherPriority, otherCookie), Cookies.DSCP);
        assertEquals(wanted, diff.missing());
        assertEquals(List.of(otherPriority, otherCookie), diff.strays());
    }

    @Test
    void anotherOwnersFlowIsNeverAStrayEvenIfTheSwitchReportsIt() {
        // a switch that ignores the cookie mask of the request reports everybody's flows
        final var operator = entry(U64.ZERO, 0, OF13.buildMatch().build());
        final var punt = entry(Cookies.PUNT, 60000, udp(5351));
        final var diff = FlowAudit.diff(List.<FlowAudit.FlowId>of(), flow -> flow, List.of(operator, punt),
            Cookies.DSCP);
        assertTrue(diff.isEmpty(), diff::toString);
    }

    @Test
    void aStrayIsDeletedStrictlyByItsCookie() {
        final var stray = entry(MINE, 99, OF13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
            .setExact(MatchField.IPV4_SRC, IPv4Address.of("10.0.0.2")).build());
        final var delete = FlowAudit.delete(OF13, stray);
        assertEquals(MINE, delete.getCookie());
        assertEquals(U64.NO_MASK, delete.getCookieMask());
        assertEquals(99, delete.getPriority());
        assertEquals(stray.getMatch(), delete.getMatch());
        assertEquals(TableId.of(0), delete.getTableId());
    }

    @Test
    void theRequestAsksForOneKindOfCookieInEveryTable() {
        final var request = FlowAudit.request(OF13, Cookies.PUNT);
        assertEquals(Cookies.PUNT, request.getCookie());
        assertEquals(Cookies.KIND_MASK, request.getCookieMask());
        assertEquals(TableId.ALL, request.getTableId());
    }

    @Test
    void auditsAskedWhileOneRunsFoldIntoOneAfterIt() {
        final var gate = new AuditGate();
        assertTrue(gate.begin());
        // a wiped table: one FLOW_REMOVED per flow while the first audit runs
        assertFalse(gate.begin());
        assertFalse(gate.begin());
        assertTrue(gate.end(), "one more audit after the running one");
        assertFalse(gate.end(), "and only one");
        assertTrue(gate.begin(), "idle again");
        assertFalse(gate.end());
    }
}
