/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jdt.annotation.Nullable;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterFeaturesStatsRequest;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * A switch connection for the stages' unit tests: it records what the stage sends, answers every BARRIER at once
 * (with the error set in {@link #fail} for the first message of the burst, if any), and answers the meter features
 * and flow statistics requests from what the test put in {@link #maxMeter} and {@link #table}. The connection
 * itself (framing, negotiation, correlation) is tested on a real {@link Connection} in {@link ConnectionTest}.
 */
public final class ScriptedSwitch implements SwitchConnection {
    /** Everything sent, in order; BARRIERs are implied by {@link #bursts}. */
    public final List<OFMessage> sent = new CopyOnWriteArrayList<>();
    /** The bursts sent with a BARRIER. */
    public final List<List<OFMessage>> bursts = new CopyOnWriteArrayList<>();
    /** The flows the switch reports holding. */
    public final List<OFFlowStatsEntry> table = new CopyOnWriteArrayList<>();
    /** The error the switch answers the first message of every burst with; null for none. */
    public volatile @Nullable OFErrorMsg fail;
    /** The switch's meter count in its meter features. */
    public volatile long maxMeter = 100;
    public volatile boolean connected = true;
    public volatile @Nullable SwitchBinding binding;

    private final OFFactory factory;
    private final DatapathId datapathId;
    private final AtomicLong xid = new AtomicLong(100);

    public ScriptedSwitch(final OFVersion version, final long datapathId, final @Nullable SwitchBinding binding) {
        factory = OFFactories.getFactory(version);
        this.datapathId = DatapathId.of(datapathId);
        this.binding = binding;
    }

    /**
     * What was sent of one type.
     */
    public <T extends OFMessage> List<T> sentOf(final Class<T> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public DatapathId datapathId() {
        return datapathId;
    }

    @Override
    public OFFactory factory() {
        return factory;
    }

    @Override
    public @Nullable SwitchBinding binding() {
        return binding;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public long nextXid() {
        return xid.incrementAndGet();
    }

    @Override
    public void send(final OFMessage message) {
        sent.add(message);
    }

    @Override
    public ListenableFuture<SwitchReply<List<Refusal>>> sendWithBarrier(final List<? extends OFMessage> messages) {
        sent.addAll(messages);
        bursts.add(List.copyOf(messages));
        final var error = fail;
        return Futures.immediateFuture(new SwitchReply.Answered<>(error == null || messages.isEmpty() ? List.of()
            : List.of(new Refusal(0, error))));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends OFStatsReply> ListenableFuture<SwitchReply<List<T>>> request(final OFStatsRequest<T> request) {
        sent.add(request);
        final var replies = new ArrayList<T>();
        if (request instanceof OFMeterFeaturesStatsRequest) {
            replies.add((T) factory.buildMeterFeaturesStatsReply().setXid(request.getXid())
                .setFeatures(factory.buildMeterFeatures().setMaxMeter(maxMeter).build()).build());
        } else if (request instanceof OFFlowStatsRequest) {
            replies.add((T) factory.buildFlowStatsReply().setXid(request.getXid()).setEntries(List.copyOf(table))
                .build());
        } else {
            return Futures.immediateFuture(new SwitchReply.Unanswered<>("not scripted: " + request.getType()));
        }
        return Futures.immediateFuture(new SwitchReply.Answered<>(replies));
    }

    @Override
    public String describe() {
        return datapathId.toString();
    }
}
