/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jdt.annotation.Nullable;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.U64;

/**
 * What the DSCP renderer needs of a switch: a connected {@link SwitchSession}, or a scripted one in tests.
 */
interface MarkingSwitch {
    /** The negotiated version's factory, or null before negotiation. */
    @Nullable OFFactory factory();

    /** The gateway the switch serves, or null. */
    SwitchSession.@Nullable Binding binding();

    /** For logs and render status: the datapath id. */
    String describe();

    /** Sends without waiting. */
    void send(List<OFMessage> messages);

    /** Sends, then a BARRIER; completes with the errors reported for these messages. */
    CompletableFuture<List<OFErrorMsg>> sendWithBarrier(List<OFMessage> messages);

    /** Reads the flows whose cookie matches under the mask. */
    CompletableFuture<List<OFFlowStatsEntry>> flows(U64 cookie, U64 mask);
}
