/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import com.google.common.util.concurrent.SettableFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFStatsType;

/**
 * The requests of one connection that wait for the switch: BARRIERs (with the transaction ids of the messages they
 * cover, so that an error is told to whoever sent the refused message) and multipart requests (with the parts
 * received so far). Everything is bounded: how many of each may wait, how many parts one answer may have, how long
 * any of them waits. A switch that answers nothing, or answers forever, costs a fixed amount of memory. Confined to
 * the connection's thread.
 */
final class PendingRequests {
    /** BARRIERs one connection may have outstanding; a renderer sends one per burst, so this is a lot of bursts. */
    static final int MAX_BARRIERS = 256;
    /** Multipart requests one connection may have outstanding; the stages ask for one table dump at a time. */
    static final int MAX_MULTIPARTS = 16;
    /**
     * Parts one multipart answer may have: a part is at most 64 KiB, so at most 64 MiB per answer, some 400,000
     * flow entries, far more than the flows the controller puts on one switch.
     */
    static final int MAX_PARTS = 1024;

    /**
     * A barrier and the messages it covers: their xids sorted, with each one's position in the burst (xids grow
     * as they are handed out, but wrap around after 2^32 of them).
     */
    private record Barrier(long[] sortedXids, int[] positions, long deadline,
            SettableFuture<SwitchReply<List<Refusal>>> future, List<Refusal> refusals) {
        static Barrier of(final long[] xids, final long deadline,
                final SettableFuture<SwitchReply<List<Refusal>>> future) {
            final var order = IntStream.range(0, xids.length).boxed()
                .sorted(Comparator.comparingLong(position -> xids[position])).mapToInt(Integer::intValue).toArray();
            final long[] sorted = new long[xids.length];
            for (int i = 0; i < order.length; i++) {
                sorted[i] = xids[order[i]];
            }
            return new Barrier(sorted, order, deadline, future, new ArrayList<>());
        }

        /** The position in the burst of the message with this xid, or -1. */
        int positionOf(final long xid) {
            final int found = Arrays.binarySearch(sortedXids, xid);
            return found < 0 ? -1 : positions[found];
        }
    }

    private record Multipart(OFStatsType type, long deadline, SettableFuture<SwitchReply<List<OFStatsReply>>> future,
            List<OFStatsReply> parts) {
    }

    /** By barrier xid, oldest first. */
    private final LinkedHashMap<Long, Barrier> barriers = new LinkedHashMap<>();
    private final HashMap<Long, Multipart> multiparts = new HashMap<>();

    /**
     * Waits for a BARRIER_REPLY, or fails at once when too many are outstanding.
     *
     * @param xids the transaction ids of the messages the barrier covers, in the order they were sent
     * @return false when the request was refused (the future is then completed)
     */
    boolean addBarrier(final long barrierXid, final long[] xids, final long deadline,
            final SettableFuture<SwitchReply<List<Refusal>>> future) {
        if (barriers.size() >= MAX_BARRIERS) {
            future.set(new SwitchReply.Unanswered<>(MAX_BARRIERS + " barriers already outstanding"));
            return false;
        }
        barriers.put(barrierXid, Barrier.of(xids, deadline, future));
        return true;
    }

    /**
     * Waits for every part of a multipart reply, or fails at once when too many are outstanding.
     *
     * @return false when the request was refused (the future is then completed)
     */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    <T extends OFStatsReply> boolean addMultipart(final long xid, final OFStatsType type, final long deadline,
            final SettableFuture<SwitchReply<List<T>>> future) {
        if (multiparts.size() >= MAX_MULTIPARTS || multiparts.containsKey(xid)) {
            future.set(new SwitchReply.Unanswered<>(MAX_MULTIPARTS + " multipart requests already outstanding"));
            return false;
        }
        // the parts are checked to be of the requested type before they are added
        multiparts.put(xid, new Multipart(type, deadline, (SettableFuture) future, new ArrayList<>()));
        return true;
    }

    /**
     * A BARRIER_REPLY: the messages before it are done.
     */
    void barrierReply(final long xid) {
        final var barrier = barriers.remove(xid);
        if (barrier != null) {
            barrier.future.set(new SwitchReply.Answered<>(List.copyOf(barrier.refusals)));
        }
    }

    /**
     * An ERROR: told to the barrier covering the refused message, or fails the multipart request it answers.
     *
     * @return whether some request was waiting for it
     */
    boolean error(final OFErrorMsg error) {
        final long xid = error.getXid();
        final var multipart = multiparts.remove(xid);
        if (multipart != null) {
            multipart.future.set(new SwitchReply.Unanswered<>("refused: " + error));
            return true;
        }
        for (var barrier : barriers.values()) {
            final int index = barrier.positionOf(xid);
            if (index >= 0) {
                // one error per message at most: a switch repeating itself costs nothing more
                if (barrier.refusals.stream().noneMatch(refusal -> refusal.index() == index)) {
                    barrier.refusals.add(new Refusal(index, error));
                }
                return true;
            }
        }
        return false;
    }

    /**
     * A part of a multipart reply.
     *
     * @return whether some request was waiting for it
     */
    boolean statsReply(final OFStatsReply reply) {
        final var multipart = multiparts.get(reply.getXid());
        if (multipart == null) {
            return false;
        }
        if (reply.getStatsType() != multipart.type) {
            multiparts.remove(reply.getXid());
            multipart.future.set(new SwitchReply.Unanswered<>("answered " + reply.getStatsType() + " to a "
                + multipart.type + " request"));
            return true;
        }
        if (multipart.parts.size() >= MAX_PARTS) {
            multiparts.remove(reply.getXid());
            multipart.future.set(new SwitchReply.Unanswered<>("answer longer than " + MAX_PARTS + " parts"));
            return true;
        }
        multipart.parts.add(reply);
        if (!reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
            multiparts.remove(reply.getXid());
            multipart.future.set(new SwitchReply.Answered<>(List.copyOf(multipart.parts)));
        }
        return true;
    }

    /**
     * Gives up on every request whose deadline passed.
     */
    void expire(final long now) {
        expire(barriers.values().iterator(), now);
        for (Iterator<Multipart> it = multiparts.values().iterator(); it.hasNext();) {
            final var multipart = it.next();
            if (now - multipart.deadline >= 0) {
                it.remove();
                multipart.future.set(new SwitchReply.Unanswered<>("no complete answer in time"));
            }
        }
    }

    private static void expire(final Iterator<Barrier> it, final long now) {
        while (it.hasNext()) {
            final var barrier = it.next();
            if (now - barrier.deadline >= 0) {
                it.remove();
                barrier.future.set(new SwitchReply.Unanswered<>("barrier not answered in time"));
            }
        }
    }

    /**
     * Gives up on everything: the connection is gone.
     */
    void failAll(final String reason) {
        final var gone = new ArrayList<>(barriers.values());
        final var goneMultiparts = new ArrayList<>(multiparts.values());
        barriers.clear();
        multiparts.clear();
        gone.forEach(barrier -> barrier.future.set(new SwitchReply.Unanswered<>(reason)));
        goneMultiparts.forEach(multipart -> multipart.future.set(new SwitchReply.Unanswered<>(reason)));
    }

    /**
     * What waits now: outstanding barriers, multipart requests, and parts held.
     */
    Map<String, Integer> footprint() {
        return Map.of("barriers", barriers.size(), "multiparts", multiparts.size(),
            "parts", multiparts.values().stream().mapToInt(multipart -> multipart.parts.size()).sum(),
            "refusals", barriers.values().stream().mapToInt(barrier -> barrier.refusals.size()).sum());
    }
}
