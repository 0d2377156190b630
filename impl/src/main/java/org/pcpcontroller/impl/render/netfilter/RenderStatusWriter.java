/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatusBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatusKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Peer;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.store.BindingMappings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the netfilter renderer's {@code render-status} of every gateway's mappings into the operational datastore,
 * in few transactions: the first change goes out at once, and whatever changes while that commit is in flight goes
 * out together in the next, keeping only the last status of each mapping. A fleet reconciling thousands of gateways
 * therefore commits a handful of transactions, not one per mapping or per gateway.
 */
final class RenderStatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(RenderStatusWriter.class);
    private static final RenderStatusKey KEY = new RenderStatusKey(Renderer.Netfilter);

    private final DataBroker dataBroker;
    private final Clock clock;
    // guarded by this
    private LinkedHashMap<MappingKey, RuleLedger.StatusChange> pending = new LinkedHashMap<>();
    private boolean inFlight;

    RenderStatusWriter(final DataBroker dataBroker, final Clock clock) {
        this.dataBroker = requireNonNull(dataBroker);
        this.clock = requireNonNull(clock);
    }

    /**
     * Queues status changes; a later change of a mapping replaces an earlier one not written yet.
     */
    void submit(final List<RuleLedger.StatusChange> changes) {
        synchronized (this) {
            // a loop, not forEach: the lambda would touch the field outside the lock as far as SpotBugs sees
            for (var change : changes) {
                pending.put(change.key(), change);
            }
            if (inFlight || pending.isEmpty()) {
                return;
            }
            inFlight = true;
        }
        flush();
    }

    private void flush() {
        final LinkedHashMap<MappingKey, RuleLedger.StatusChange> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                inFlight = false;
                return;
            }
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        final var tx = dataBroker.newWriteOnlyTransaction();
        final var now = BindingMappings.dateAndTime(clock.instant());
        batch.values().forEach(change -> write(tx, change, now));
        tx.commit().addCallback(new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                flush();
            }

            @Override
            public void onFailure(final Throwable cause) {
                // a lost status is corrected by the next change of the mapping; the batch is not retried
                LOG.warn("Cannot record the netfilter render status of {} mappings", batch.size(), cause);
                flush();
            }
        }, MoreExecutors.directExecutor());
    }

    private static void write(final WriteTransaction tx, final RuleLedger.StatusChange change,
            final org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime now) {
        final var mapping = change.mapping();
        final var status = change.status();
        if (mapping == null) {
            // the mapping is gone: so is its operational entry, every renderer's status with it
            BindingMappings.deleteRenderStatus(tx, change.key());
            return;
        }
        if (status != null) {
            // instanceof, not a pattern switch: the switch's unused bindings read as dead stores to SpotBugs
            final RenderStatusBuilder builder;
            if (status instanceof RuleLedger.Status.Failed failed) {
                builder = new RenderStatusBuilder().setState(RenderStatus.State.Failed).setDetail(failed.reason());
            } else if (status instanceof RuleLedger.Status.Installed) {
                builder = new RenderStatusBuilder().setState(RenderStatus.State.Installed)
                    .setDetail("acknowledged by the gateway");
            } else {
                builder = new RenderStatusBuilder().setState(RenderStatus.State.Pending)
                    .setDetail("not acknowledged by the gateway yet");
            }
            BindingMappings.mergeRenderStatus(tx, mapping, builder.withKey(KEY).setUpdated(now).build());
            return;
        }
        // the mapping stays but is not rendered over NETCONF any more: only this renderer's entry goes (its parent
        // is merged first, because a delete under a node that does not exist fails the whole transaction)
        switch (BindingMappings.toBinding(mapping)) {
            case Map map -> {
                final var path = BindingMappings.gatewayPath(change.key().gateway()).toBuilder()
                    .child(Map.class, map.key()).build();
                tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL, path, map);
                tx.delete(LogicalDatastoreType.OPERATIONAL, path.toBuilder().child(RenderStatus.class, KEY).build());
            }
            case Peer peer -> {
                final var path = BindingMappings.gatewayPath(change.key().gateway()).toBuilder()
                    .child(Peer.class, peer.key()).build();
                tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL, path, peer);
                tx.delete(LogicalDatastoreType.OPERATIONAL, path.toBuilder().child(RenderStatus.class, KEY).build());
            }
            default -> throw new IllegalStateException("Unexpected binding for " + change.key());
        }
    }
}
