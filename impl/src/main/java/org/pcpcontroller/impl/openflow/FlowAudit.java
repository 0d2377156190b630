/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The audit of one stage's flows on a switch: what the stage wants against what the switch reports holding under
 * the stage's cookie kind. A flow is what OpenFlow identifies it by (table, priority, match: an ADD of the same three
 * replaces the flow, OpenFlow 1.3 section 6.4) plus its cookie; so re-adding a missing flow never duplicates one, and
 * a stray is deleted strictly, by all four, never touching a flow with another owner's cookie.
 */
public final class FlowAudit {
    /**
     * A flow as an audit compares it. The match is kept as field name to value, since a switch may report the match
     * fields in another order than they were sent.
     */
    public record FlowId(int table, int priority, U64 cookie, Map<String, String> match) {
        public FlowId {
            requireNonNull(cookie);
            match = Map.copyOf(match);
        }

        public static FlowId of(final TableId table, final int priority, final U64 cookie, final Match match) {
            final var fields = new TreeMap<String, String>();
            for (var field : match.getMatchFields()) {
                fields.put(field.id.name(), match.isExact(field) ? String.valueOf(match.get(field))
                    : String.valueOf(match.getMasked(field)));
            }
            return new FlowId(table.getValue(), priority, cookie, fields);
        }

        public static FlowId of(final OFFlowStatsEntry entry) {
            return of(entry.getTableId(), entry.getPriority(), entry.getCookie(), entry.getMatch());
        }
    }

    /**
     * What an audit repairs.
     *
     * @param missing wanted flows the switch does not hold
     * @param strays flows with the stage's cookie kind that nothing wants
     */
    public record Diff<W>(List<W> missing, List<OFFlowStatsEntry> strays) {
        public Diff {
            missing = List.copyOf(missing);
            strays = List.copyOf(strays);
        }

        public boolean isEmpty() {
            return missing.isEmpty() && strays.isEmpty();
        }
    }

    private FlowAudit() {
        // utility
    }

    /**
     * Wanted against present. Present flows of another cookie kind are ignored even if the switch reported them (it
     * may not honour the cookie mask): they belong to someone else.
     *
     * @param kind the stage's cookie kind ({@link Cookies#PUNT}, {@link Cookies#DSCP})
     */
    public static <W> Diff<W> diff(final Collection<W> wanted, final Function<W, FlowId> idOf,
            final Collection<OFFlowStatsEntry> present, final U64 kind) {
        final var byId = new LinkedHashMap<FlowId, W>();
        wanted.forEach(flow -> byId.putIfAbsent(idOf.apply(flow), flow));
        final var held = new HashSet<FlowId>();
        final var strays = new ArrayList<OFFlowStatsEntry>();
        for (var entry : present) {
            if (!entry.getCookie().applyMask(Cookies.KIND_MASK).equals(kind)) {
                continue;
            }
            final var id = FlowId.of(entry);
            if (byId.containsKey(id)) {
                held.add(id);
            } else {
                strays.add(entry);
            }
        }
        final var missing = byId.entrySet().stream().filter(entry -> !held.contains(entry.getKey()))
            .map(Map.Entry::getValue).toList();
        return new Diff<>(missing, strays);
    }

    /**
     * Asks for every flow of one cookie kind, in every table.
     */
    public static OFFlowStatsRequest request(final OFFactory factory, final U64 kind) {
        return factory.buildFlowStatsRequest()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(kind)
            .setCookieMask(Cookies.KIND_MASK)
            .setMatch(factory.buildMatch().build())
            .build();
    }

    /**
     * Deletes exactly one stray: its table, priority and match, and only while it still carries its cookie.
     */
    public static OFFlowDeleteStrict delete(final OFFactory factory, final OFFlowStatsEntry stray) {
        return factory.buildFlowDeleteStrict()
            .setTableId(stray.getTableId())
            .setPriority(stray.getPriority())
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(stray.getCookie())
            .setCookieMask(U64.NO_MASK)
            .setMatch(stray.getMatch())
            .build();
    }
}
