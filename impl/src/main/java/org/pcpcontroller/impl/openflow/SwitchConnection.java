/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import com.google.common.util.concurrent.ListenableFuture;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * One switch connection that completed the handshake, as the stages that use switches see it. Methods may be called
 * from any thread; what a {@link SwitchListener} is told happens on the connection's own thread.
 */
public interface SwitchConnection {
    /** The datapath id from FEATURES_REPLY. */
    DatapathId datapathId();

    /** The factory of the negotiated OpenFlow version: build every message with it. */
    OFFactory factory();

    /** The gateway the switch serves now, or null. */
    @Nullable SwitchBinding binding();

    /** Whether the connection is still up. */
    boolean isConnected();

    /** A transaction id for a message built by the caller. */
    long nextXid();

    /**
     * Sends one message as built, at once. A PACKET_OUT is dropped (and counted) when the switch does not read fast
     * enough: what is queued for one switch stays bounded, and a client asks again.
     */
    void send(OFMessage message);

    /**
     * Sends messages (each gets its own transaction id), then a BARRIER. Answered once the switch answered the
     * barrier, with the messages it refused; unanswered when the connection goes, the barrier times out, or too many
     * barriers are outstanding on this connection already.
     */
    ListenableFuture<SwitchReply<List<Refusal>>> sendWithBarrier(List<? extends OFMessage> messages);

    /**
     * Sends a multipart request and collects every part of the answer (OpenFlow 1.3 section 7.3.5). Unanswered when
     * the connection goes, the request times out, the switch refuses it, or the answer grows beyond what one
     * connection may hold.
     */
    <T extends OFStatsReply> ListenableFuture<SwitchReply<List<T>>> request(OFStatsRequest<T> request);

    /** For logs and state: the datapath id. */
    String describe();
}
