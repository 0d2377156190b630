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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.SettableFuture;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFStatsType;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * What one connection keeps for the requests that wait for its switch is bounded (issue 13 #3): how many barriers
 * and multipart requests wait, how many parts one answer may have, how many errors a barrier keeps, how long any of
 * them waits. A switch that answers nothing, or answers forever, costs a fixed amount of memory.
 */
class PendingRequestsTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final long DEADLINE = 5_000;

    private final PendingRequests pending = new PendingRequests();

    private static OFFlowStatsReply part(final long xid, final boolean more) {
        return OF13.buildFlowStatsReply().setXid(xid).setFlags(more ? Set.of(OFStatsReplyFlags.REPLY_MORE) : Set.of())
            .setEntries(List.of()).build();
    }

    private static OFErrorMsg tableFull(final long xid) {
        return OF13.errorMsgs().buildFlowModFailedErrorMsg().setXid(xid).setCode(OFFlowModFailedCode.TABLE_FULL)
            .build();
    }

    private int held(final String what) {
        return pending.footprint().get(what);
    }

    @Test
    void beyondMaxBarriersANewBarrierIsUnansweredAtOnce() throws Exception {
        for (int i = 0; i < PendingRequests.MAX_BARRIERS; i++) {
            assertTrue(pending.addBarrier(10_000 + i, new long[] { i + 1 }, DEADLINE, SettableFuture.create()));
        }
        final var refused = SettableFuture.<SwitchReply<List<Refusal>>>create();
        assertFalse(pending.addBarrier(20_000, new long[] { 9_999 }, DEADLINE, refused));
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(refused));
        assertEquals(PendingRequests.MAX_BARRIERS, held("barriers"));

        // the bound is on what waits: once the switch answers one, there is room for one more
        pending.barrierReply(10_000);
        assertTrue(pending.addBarrier(20_001, new long[] { 9_998 }, DEADLINE, SettableFuture.create()));
    }

    @Test
    void beyondMaxMultipartsANewRequestIsUnansweredAtOnce() throws Exception {
        for (int i = 0; i < PendingRequests.MAX_MULTIPARTS; i++) {
            assertTrue(pending.addMultipart(100 + i, OFStatsType.FLOW, DEADLINE,
                SettableFuture.<SwitchReply<List<OFFlowStatsReply>>>create()));
        }
        final var refused = SettableFuture.<SwitchReply<List<OFFlowStatsReply>>>create();
        assertFalse(pending.addMultipart(200, OFStatsType.FLOW, DEADLINE, refused));
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(refused));
        assertEquals(PendingRequests.MAX_MULTIPARTS, held("multiparts"));
    }

    @Test
    void anAnswerLongerThanMaxPartsIsUnansweredAndItsPartsAreDropped() throws Exception {
        final var reply = SettableFuture.<SwitchReply<List<OFFlowStatsReply>>>create();
        pending.addMultipart(7, OFStatsType.FLOW, DEADLINE, reply);
        for (int i = 0; i < PendingRequests.MAX_PARTS; i++) {
            assertTrue(pending.statsReply(part(7, true)));
        }
        assertFalse(reply.isDone());
        assertEquals(PendingRequests.MAX_PARTS, held("parts"));

        pending.statsReply(part(7, true));
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(reply));
        assertEquals(0, held("parts"));
        assertEquals(0, held("multiparts"));
        // what the switch sends after that answers nothing, and is not kept
        assertFalse(pending.statsReply(part(7, false)));
        assertEquals(0, held("parts"));
    }

    @Test
    void aBarrierNotAnsweredByItsDeadlineIsUnanswered() throws Exception {
        final var barrier = SettableFuture.<SwitchReply<List<Refusal>>>create();
        pending.addBarrier(1_000, new long[] { 1 }, DEADLINE, barrier);
        pending.expire(DEADLINE - 1);
        assertFalse(barrier.isDone());
        pending.expire(DEADLINE);
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(barrier));
        assertEquals(0, held("barriers"));
    }

    @Test
    void aMultipartRequestNotCompleteByItsDeadlineIsUnansweredAndItsPartsAreDropped() throws Exception {
        final var reply = SettableFuture.<SwitchReply<List<OFFlowStatsReply>>>create();
        pending.addMultipart(7, OFStatsType.FLOW, DEADLINE, reply);
        pending.statsReply(part(7, true));
        pending.expire(DEADLINE - 1);
        assertFalse(reply.isDone());
        pending.expire(DEADLINE);
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(reply));
        assertEquals(0, held("multiparts"));
        assertEquals(0, held("parts"));
    }

    @Test
    void aSwitchRepeatingAnErrorIsKeptOncePerMessage() throws Exception {
        final var barrier = SettableFuture.<SwitchReply<List<Refusal>>>create();
        pending.addBarrier(1_000, new long[] { 1, 2 }, DEADLINE, barrier);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(pending.error(tableFull(2)));
        }
        assertEquals(1, held("refusals"));
        pending.barrierReply(1_000);
        final var refusals = assertInstanceOf(SwitchReply.Answered.class, Futures.getDone(barrier)).value();
        assertEquals(List.of(1), ((List<?>) refusals).stream().map(refusal -> ((Refusal) refusal).index()).toList());
    }

    @Test
    void errorsForMessagesNoBarrierCoversAreNotKept() {
        pending.addBarrier(1_000, new long[] { 1, 2 }, DEADLINE, SettableFuture.create());
        for (int i = 0; i < 10_000; i++) {
            assertFalse(pending.error(tableFull(3 + i)));
        }
        assertEquals(0, held("refusals"));
    }
}
