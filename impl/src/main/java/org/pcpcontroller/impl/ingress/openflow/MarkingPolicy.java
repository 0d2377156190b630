/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.gateway.continuation.GotoTable;

/**
 * Where and how a gateway's marking flows are installed ({@code pcp-flow-priority} configuration).
 *
 * @param markMap whether MAP mappings with FLOW_PRIORITY are marked too
 * @param tableId the table of the marking flows
 * @param priority their OpenFlow priority
 * @param gotoTable the table to continue in, or -1 to output to NORMAL
 */
record MarkingPolicy(boolean markMap, int tableId, int priority, int gotoTable) {
    /** What a gateway without a {@code flow-priority} entry gets. */
    static final MarkingPolicy DEFAULT = new MarkingPolicy(false, 0, 40000, -1);

    static MarkingPolicy of(final @Nullable Gateway config) {
        if (config == null) {
            return DEFAULT;
        }
        final var table = config.getTableId();
        final var priority = config.getFlowPriority();
        return new MarkingPolicy(Boolean.TRUE.equals(config.getMarkMap()),
            table == null ? DEFAULT.tableId : table.toJava(),
            priority == null ? DEFAULT.priority : priority.toJava(),
            config.getContinuation() instanceof GotoTable gotoTable && gotoTable.getGotoTable() != null
                ? gotoTable.getGotoTable().toJava() : -1);
    }
}
