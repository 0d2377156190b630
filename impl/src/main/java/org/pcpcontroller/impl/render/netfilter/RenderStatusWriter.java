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
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Clock;
import java.util.ArrayList;
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
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.pcpcontroller.api.mapping.Mapping;
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
        final var changes = List.copyOf(batch.values());
        // a transaction is bound to one datastore: the store's mappings are read in one of their own
        final var tx = dataBroker.newReadWriteTransaction();
        final var store = dataBroker.newReadOnlyTransaction();
        final var now = BindingMappings.dateAndTime(clock.instant());
        // A status goes only to a mapping the store holds (configuration datastore): the operational entry that
        // carries it is made with the first status. A change of a mapping the store no longer holds, e.g. one the
        // answer gate removed because this renderer failed it, takes the entry away instead, so that it does not
        // show a mapping that is gone; a status written just before such a removal is taken away by the removal's
        // own change, which comes through this writer after it.
        final var held = new ArrayList<ListenableFuture<Boolean>>(changes.size());
        final var written = new ArrayList<ListenableFuture<Boolean>>(changes.size());
        for (var change : changes) {
            final var mapping = change.mapping();
            held.add(mapping == null ? Futures.immediateFuture(Boolean.FALSE)
                : store.exists(LogicalDatastoreType.CONFIGURATION, BindingMappings.path(change.key())));
            // only this renderer's entry is to go: there is something to delete only if it was written
            written.add(mapping == null || change.status() != null ? Futures.immediateFuture(Boolean.FALSE)
                : tx.exists(LogicalDatastoreType.OPERATIONAL, statusPath(mapping)));
        }
        final var read = Futures.allAsList(Futures.allAsList(held), Futures.allAsList(written));
        read.addListener(store::close, MoreExecutors.directExecutor());
        final var committed = Futures.transformAsync(read, found -> {
            for (int i = 0; i < changes.size(); i++) {
                write(tx, changes.get(i), Boolean.TRUE.equals(found.get(0).get(i)),
                    Boolean.TRUE.equals(found.get(1).get(i)), now);
            }
            return tx.commit();
        }, MoreExecutors.directExecutor());
        Futures.addCallback(committed, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                flush();
            }

            @Override
            public void onFailure(final Throwable cause) {
                // a read failed, or the commit (e.g. a concurrent write of the same operational entry). The batch
                // goes out again behind what came meanwhile, at once if something did, else with the next change
                // (no retry loop against a datastore that keeps failing).
                tx.cancel();
                LOG.warn("Cannot record the netfilter render status of {} mappings yet", changes.size(), cause);
                final boolean more;
                synchronized (RenderStatusWriter.this) {
                    more = !pending.isEmpty();
                    changes.forEach(change -> pending.putIfAbsent(change.key(), change));
                    if (!more) {
                        inFlight = false;
                    }
                }
                if (more) {
                    flush();
                }
            }
        }, MoreExecutors.directExecutor());
    }

    private static void write(final WriteTransaction tx, final RuleLedger.StatusChange change, final boolean held,
            final boolean written,
            final org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime now) {
        final var mapping = change.mapping();
        final var status = change.status();
        if (mapping == null || !held) {
            // the mapping is gone: so is its operational entry, every renderer's status with it
            BindingMappings.deleteRenderStatus(tx, change.key());
            return;
        }
        if (status == null) {
            // the mapping stays but is not rendered over NETCONF any more: only this renderer's entry goes
            if (written) {
                tx.delete(LogicalDatastoreType.OPERATIONAL, statusPath(mapping));
            }
            return;
        }
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
        // with the mapping as its parent: the operational entry exists only once a renderer wrote a status there
        BindingMappings.mergeRenderStatus(tx, mapping, builder.withKey(KEY).setUpdated(now).build());
    }

    private static DataObjectIdentifier<RenderStatus> statusPath(final Mapping mapping) {
        final var gateway = BindingMappings.gatewayPath(mapping.key().gateway()).toBuilder();
        return switch (BindingMappings.toBinding(mapping)) {
            case Map map -> gateway.child(Map.class, map.key()).child(RenderStatus.class, KEY).build();
            case Peer peer -> gateway.child(Peer.class, peer.key()).child(RenderStatus.class, KEY).build();
            default -> throw new IllegalStateException("Unexpected binding for " + mapping.key());
        };
    }
}
