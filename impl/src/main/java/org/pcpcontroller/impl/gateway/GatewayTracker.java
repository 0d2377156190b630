/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.net.Inet4Address;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.OptimisticLockFailedException;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Gauge32;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.State;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.StateBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.DataObjectReference;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the gateways in the configuration datastore: checks each one, keeps the views the request handling uses,
 * and publishes each gateway's status and PCP epoch in the operational datastore. When a gateway is deleted, its
 * mappings go with it.
 */
@Component(service = GatewayRegistry.class)
public final class GatewayTracker implements GatewayRegistry, DataTreeChangeListener<Gateway>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayTracker.class);
    private static final int STATE_WRITE_ATTEMPTS = 5;

    private final DataBroker dataBroker;
    private final MappingStore store;
    private final ConcurrentHashMap<String, GatewayView> views = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, List<String>> problems = new ConcurrentHashMap<>();
    private final Registration registration;

    @Activate
    public GatewayTracker(@Reference final DataBroker dataBroker, @Reference final MappingStore store) {
        this.dataBroker = requireNonNull(dataBroker);
        this.store = requireNonNull(store);
        registration = dataBroker.registerTreeChangeListener(LogicalDatastoreType.CONFIGURATION,
            DataObjectReference.builder(Gateways.class).child(Gateway.class).build(), this);
    }

    @Override
    public Optional<GatewayView> lookup(final String gatewayId) {
        return Optional.ofNullable(views.get(gatewayId));
    }

    @Override
    public List<String> problems(final String gatewayId) {
        return problems.getOrDefault(gatewayId, List.of());
    }

    @Override
    public void onDataTreeChanged(final List<DataTreeModification<Gateway>> changes) {
        for (var change : changes) {
            final var root = change.getRootNode();
            final var after = root.dataAfter();
            if (after != null) {
                updated(after);
            } else {
                final var before = root.dataBefore();
                if (before != null) {
                    deleted(before.requireId().getValue());
                }
            }
        }
    }

    private void updated(final Gateway gateway) {
        final var id = gateway.requireId().getValue();
        final GatewayView view;
        try {
            view = GatewayView.of(gateway);
        } catch (InvalidGatewayException e) {
            LOG.warn("Not serving gateway: {}", e.getMessage());
            views.remove(id);
            problems.put(id, e.problems());
            writeState(id, new StateBuilder()
                .setStatus(State.Status.Misconfigured)
                .setStatusDetail(String.join("; ", e.problems())), null);
            return;
        }
        problems.remove(id);
        views.put(id, view);
        LOG.info("Gateway {} configured: external {}, internal {}, ports {}", id, view.externalAddresses(),
            view.internalPrefixes(), view.externalPorts());
        final var external = view.externalAddresses().stream().filter(Inet4Address.class::isInstance).findFirst()
            .orElse(null);
        Futures.addCallback(store.epochOrigin(id, external), new FutureCallback<Instant>() {
            @Override
            public void onSuccess(final Instant origin) {
                if (views.get(id) == view) {
                    writeState(id, new StateBuilder()
                        .setStatus(view.enabled() ? State.Status.Serving : State.Status.Disabled), origin);
                }
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Could not record the epoch of gateway {}", id, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void deleted(final String id) {
        views.remove(id);
        problems.remove(id);
        LOG.info("Gateway {} deleted, removing its mappings", id);
        final var tx = dataBroker.newWriteOnlyTransaction();
        tx.delete(LogicalDatastoreType.OPERATIONAL, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, new GatewayKey(new GatewayId(id))).build());
        logFailure(tx.commit(), "remove the state of gateway " + id);
        logFailure(store.clear(id, null), "remove the mappings of gateway " + id);
    }

    private void writeState(final String id, final StateBuilder state, final @Nullable Instant epochOrigin) {
        if (epochOrigin != null) {
            state.setEpochOrigin(BindingMappings.dateAndTime(epochOrigin));
        }
        writeState(id, state, STATE_WRITE_ATTEMPTS);
    }

    // The mapping store merges mapping-count into the same container, so a write may lose an optimistic lock race:
    // it is retried with a fresh count.
    private void writeState(final String id, final StateBuilder state, final int attempts) {
        state.setMappingCount(new Gauge32(Uint32.valueOf(store.count(id))));
        final var tx = dataBroker.newWriteOnlyTransaction();
        // put, not merge: a status-detail from an earlier misconfiguration must not linger
        tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, statePath(id), state.build());
        Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                // published
            }

            @Override
            public void onFailure(final Throwable cause) {
                if (cause instanceof OptimisticLockFailedException && attempts > 1) {
                    LOG.debug("State of gateway {} changed concurrently, writing it again", id);
                    writeState(id, state, attempts - 1);
                } else {
                    LOG.warn("Failed to publish the state of gateway {}", id, cause);
                }
            }
        }, MoreExecutors.directExecutor());
    }

    private static DataObjectIdentifier<State> statePath(final String id) {
        return DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, new GatewayKey(new GatewayId(id)))
            .child(State.class)
            .build();
    }

    private static void logFailure(final com.google.common.util.concurrent.ListenableFuture<?> future,
            final String what) {
        Futures.addCallback(future, new FutureCallback<Object>() {
            @Override
            public void onSuccess(final Object result) {
                // done
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Failed to {}", what, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    @Override
    @Deactivate
    public void close() {
        registration.close();
    }
}
