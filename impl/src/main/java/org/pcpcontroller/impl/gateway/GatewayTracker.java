/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.Sets;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.mdsal.binding.api.TransactionChain;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.dom.api.DOMSchemaService;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Gauge32;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.State;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.StateBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.Counters;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.Netconf;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.DataObjectReference;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Empty;
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
 * Follows the gateways in the configuration datastore ({@code pcp-gateway} and their {@code pcp-flow-priority}
 * entries), parses each changed gateway once into its {@link GatewayView}, hands the views to every stage that
 * subscribed, and publishes each gateway's status and PCP epoch in the operational datastore. When a gateway is
 * deleted, its mappings go with it.
 */
@Component(service = GatewayRegistry.class)
public final class GatewayTracker implements GatewayRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayTracker.class);
    private static final long COUNT_PUBLISH_SECONDS = 1;

    private final DataBroker dataBroker;
    private final MappingStore store;
    private final GatewayParser parser;
    private final ConcurrentHashMap<String, GatewayView> views = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, List<String>> problems = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> epochOrigins = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<EpochListener> epochListeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private final GatewayCounters counters;
    // The configuration as last seen, per gateway: a change of either tree re-parses the gateway from both.
    private final HashMap<String, Gateway> configs = new HashMap<>();
    private final HashMap<String, org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123
        .flow.priority.Gateway> markings = new HashMap<>();
    /**
     * Where view changes go out, in order. It keeps the views as delivered, so that a late subscriber is told of
     * exactly what the others were told, never twice and never out of order.
     */
    private final ExecutorService dispatcher;
    private final HashMap<String, GatewayView> delivered = new HashMap<>();
    private final CopyOnWriteArrayList<ViewListener> viewListeners = new CopyOnWriteArrayList<>();
    private final HashMap<String, Counters> publishedCounters = new HashMap<>();
    // The one writer of gateway state: a single thread with a transaction chain, so state writes never race.
    private final ScheduledExecutorService stateWriter;
    private final HashMap<String, Integer> publishedCounts = new HashMap<>();
    /** The NETCONF session state of each gateway, so that a full state write keeps it; on the state writer. */
    private final HashMap<String, Netconf> netconfStates = new HashMap<>();
    /** The renderers' summaries of each gateway; on the state writer. */
    private final HashMap<String, Map<org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
        .Renderer, RenderSummary>> renderSummaries = new HashMap<>();
    private final List<Registration> registrations;
    private TransactionChain chain;

    @Activate
    public GatewayTracker(@Reference final DataBroker dataBroker, @Reference final MappingStore store,
            @Reference final GatewayCounters counters, @Reference final DOMSchemaService schema) {
        this(dataBroker, store, counters, new GatewayParser(new ModelDefaults(schema.getGlobalContext())),
            Clock.systemUTC());
    }

    /**
     * A tracker whose clock is the mapping store's, so that it can tell a continued epoch from a new one.
     */
    public GatewayTracker(final DataBroker dataBroker, final MappingStore store, final GatewayCounters counters,
            final GatewayParser parser, final Clock clock) {
        this.clock = requireNonNull(clock);
        this.counters = requireNonNull(counters);
        this.dataBroker = requireNonNull(dataBroker);
        this.store = requireNonNull(store);
        this.parser = requireNonNull(parser);
        dispatcher = Executors.newSingleThreadExecutor(new ThreadFactoryBuilder()
            .setNameFormat("pcp-gateway-views").setDaemon(true).build());
        stateWriter = Executors.newSingleThreadScheduledExecutor(new ThreadFactoryBuilder()
            .setNameFormat("pcp-gateway-state").setDaemon(true).build());
        chain = newChain();
        stateWriter.scheduleWithFixedDelay(this::publishCounts, COUNT_PUBLISH_SECONDS, COUNT_PUBLISH_SECONDS,
            TimeUnit.SECONDS);
        registrations = List.of(
            dataBroker.registerTreeChangeListener(LogicalDatastoreType.CONFIGURATION,
                DataObjectReference.builder(Gateways.class).child(Gateway.class).build(), this::onGateways),
            dataBroker.registerTreeChangeListener(LogicalDatastoreType.CONFIGURATION,
                DataObjectReference.builder(FlowPriority.class).child(org.opendaylight.yang.gen.v1.urn.pcpcontroller
                    .yang.pcp.flow.priority.rev261123.flow.priority.Gateway.class).build(), this::onMarkings));
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
    public Optional<Instant> epochOrigin(final String gatewayId) {
        return Optional.ofNullable(epochOrigins.get(gatewayId));
    }

    @Override
    public Registration addEpochListener(final EpochListener listener) {
        epochListeners.add(requireNonNull(listener));
        return () -> epochListeners.remove(listener);
    }

    @Override
    public Registration subscribe(final ViewListener listener) {
        requireNonNull(listener);
        dispatcher.execute(() -> {
            viewListeners.add(listener);
            final var current = delivered.entrySet().stream()
                .map(entry -> new ViewChange(entry.getKey(), null, entry.getValue()))
                .toList();
            if (!current.isEmpty()) {
                tell(listener, current);
            }
        });
        return () -> viewListeners.remove(listener);
    }

    // A listener that fails must not stop the others from hearing of the change.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private static void tell(final ViewListener listener, final List<ViewChange> changes) {
        try {
            listener.viewsChanged(changes);
        } catch (RuntimeException e) {
            LOG.warn("A gateway view listener failed on {} changes", changes.size(), e);
        }
    }

    private synchronized void onGateways(final List<DataTreeModification<Gateway>> changes) {
        final var touched = new LinkedHashSet<String>();
        for (var change : changes) {
            final var after = change.getRootNode().dataAfter();
            final var before = change.getRootNode().dataBefore();
            final var id = (after != null ? after : requireNonNull(before)).requireId().getValue();
            if (after != null) {
                configs.put(id, after);
            } else {
                configs.remove(id);
            }
            touched.add(id);
        }
        reparse(touched);
    }

    private synchronized void onMarkings(final List<DataTreeModification<org.opendaylight.yang.gen.v1.urn
            .pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway>> changes) {
        final var touched = new LinkedHashSet<String>();
        for (var change : changes) {
            final var after = change.getRootNode().dataAfter();
            final var before = change.getRootNode().dataBefore();
            final var id = (after != null ? after : requireNonNull(before)).requireGatewayId().getValue();
            if (after != null) {
                markings.put(id, after);
            } else {
                markings.remove(id);
            }
            touched.add(id);
        }
        reparse(touched);
    }

    // Locked: the two trees' notifications arrive on different threads.
    private void reparse(final Set<String> ids) {
        final var changed = new ArrayList<ViewChange>();
        for (var id : ids) {
            final var config = configs.get(id);
            final var before = views.get(id);
            if (config == null) {
                if (before != null || problems.containsKey(id)) {
                    deleted(id);
                    if (before != null) {
                        changed.add(new ViewChange(id, before, null));
                    }
                }
                continue;
            }
            final GatewayView after;
            try {
                after = parser.parse(config, markings.get(id));
            } catch (InvalidGatewayException e) {
                LOG.warn("Not serving gateway: {}", e.getMessage());
                views.remove(id);
                problems.put(id, e.problems());
                final var state = new StateBuilder()
                    .setStatus(State.Status.Misconfigured)
                    .setStatusDetail(String.join("; ", e.problems()));
                stateWriter.execute(() -> writeState(id, state));
                if (before != null) {
                    changed.add(new ViewChange(id, before, null));
                }
                continue;
            }
            if (after.equals(before)) {
                continue;
            }
            problems.remove(id);
            views.put(id, after);
            updated(after);
            changed.add(new ViewChange(id, before, after));
        }
        if (!changed.isEmpty()) {
            final var batch = List.copyOf(changed);
            dispatcher.execute(() -> {
                for (var change : batch) {
                    if (change.after() == null) {
                        delivered.remove(change.gatewayId());
                    } else {
                        delivered.put(change.gatewayId(), change.after());
                    }
                }
                viewListeners.forEach(listener -> tell(listener, batch));
            });
        }
    }

    private void updated(final GatewayView view) {
        final var id = view.id();
        LOG.info("Gateway {} configured: external {}, internal {}, ports {}", view.describe(),
            view.externalAddresses(), view.internalPrefixes(), view.externalPorts());
        // at the store's precision: an origin it takes within this millisecond is truncated to before the clock's now
        final var asked = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Futures.addCallback(store.epochOrigin(id, view.firstExternalIpv4().orElse(null)),
            new FutureCallback<Instant>() {
                @Override
                public void onSuccess(final Instant origin) {
                    final var previous = epochOrigins.put(id, origin);
                    // The store starts a new epoch at its clock's "now": an origin not before the question is a new
                    // epoch, an older one continues (kept across restarts with the mappings).
                    if (!origin.equals(previous) && !origin.isBefore(asked)) {
                        LOG.info("Gateway {} starts a new epoch at {}", id, origin);
                        epochListeners.forEach(listener -> listener.epochStarted(id, origin));
                    }
                    stateWriter.execute(() -> {
                        if (views.get(id) == view) {
                            writeState(id, new StateBuilder()
                                .setStatus(view.enabled() ? State.Status.Serving : State.Status.Disabled)
                                .setEpochOrigin(BindingMappings.dateAndTime(origin)));
                        }
                    });
                }

                @Override
                public void onFailure(final Throwable cause) {
                    LOG.warn("Could not record the epoch of gateway {}", id, cause);
                }
            }, MoreExecutors.directExecutor());
    }

    private void deleted(final String id) {
        views.remove(id);
        epochOrigins.remove(id);
        problems.remove(id);
        LOG.info("Gateway {} deleted, removing its mappings", id);
        counters.remove(id);
        stateWriter.execute(() -> {
            publishedCounts.remove(id);
            netconfStates.remove(id);
            renderSummaries.remove(id);
            publishedCounters.remove(id);
            final var tx = chain.newWriteOnlyTransaction();
            tx.delete(LogicalDatastoreType.OPERATIONAL, DataObjectIdentifier.builder(Gateways.class)
                .child(Gateway.class, new GatewayKey(new GatewayId(id))).build());
            StateWrites.logFailure(tx.commit(), LOG, "remove the state of gateway " + id);
        });
        StateWrites.logFailure(store.removeGateway(id), LOG, "remove the mappings of gateway " + id);
    }

    // On the state writer. A put, not a merge: a status-detail from an earlier misconfiguration must not linger.
    private void writeState(final String id, final StateBuilder state) {
        final int count = store.count(id);
        publishedCounts.put(id, count);
        final var tx = chain.newWriteOnlyTransaction();
        tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, statePath(id),
            state.setMappingCount(new Gauge32(Uint32.valueOf(count))).setNetconf(netconfStates.get(id))
                .setRenderer(renderers(id)).build());
        StateWrites.logFailure(tx.commit(), LOG, "publish the state of gateway " + id);
    }

    @Override
    public void publishNetconfState(final String gatewayId, final @Nullable Netconf state) {
        stateWriter.execute(() -> {
            final var previous = state == null ? netconfStates.remove(gatewayId) : netconfStates.put(gatewayId, state);
            if (!views.containsKey(gatewayId) || state == null && previous == null) {
                // written with the gateway's state once it is configured; nothing to remove
                return;
            }
            final var tx = chain.newWriteOnlyTransaction();
            final var path = statePath(gatewayId).toBuilder().child(Netconf.class).build();
            if (state == null) {
                tx.delete(LogicalDatastoreType.OPERATIONAL, path);
            } else {
                tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, path, state);
            }
            StateWrites.logFailure(tx.commit(), LOG, "publish the NETCONF state of gateway " + gatewayId);
        });
    }

    @Override
    public void publishRenderSummary(final String gatewayId,
            final org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer renderer,
            final @Nullable RenderSummary summary) {
        stateWriter.execute(() -> {
            final var summaries = renderSummaries.computeIfAbsent(gatewayId, id -> new EnumMap<>(
                org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer.class));
            final var previous = summary == null ? summaries.remove(renderer) : summaries.put(renderer, summary);
            if (!views.containsKey(gatewayId) || Objects.equals(previous, summary)) {
                // written with the gateway's state once it is configured; or nothing new
                return;
            }
            final var tx = chain.newWriteOnlyTransaction();
            final var key = new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways
                .gateway.state.RendererKey(renderer);
            final var path = statePath(gatewayId).toBuilder().child(org.opendaylight.yang.gen.v1.urn.pcpcontroller
                .yang.pcp.gateway.rev261123.gateways.gateway.state.Renderer.class, key).build();
            if (summary == null) {
                tx.delete(LogicalDatastoreType.OPERATIONAL, path);
            } else {
                tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, path, renderer(renderer, summary));
            }
            StateWrites.logFailure(tx.commit(), LOG, "publish the render summary of gateway " + gatewayId);
        });
    }

    // On the state writer.
    private @Nullable Map<org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway
            .state.RendererKey, org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways
            .gateway.state.Renderer> renderers(final String id) {
        final var summaries = renderSummaries.get(id);
        if (summaries == null || summaries.isEmpty()) {
            return null;
        }
        final var built = new HashMap<org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
            .gateways.gateway.state.RendererKey, org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway
            .rev261123.gateways.gateway.state.Renderer>();
        summaries.forEach((name, summary) -> {
            final var entry = renderer(name, summary);
            built.put(entry.key(), entry);
        });
        return built;
    }

    private static org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state
            .Renderer renderer(final org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
                .Renderer name, final RenderSummary summary) {
        return new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state
            .RendererBuilder()
            .setName(name)
            .setInstalled(gauge(summary.installed()))
            .setPending(gauge(summary.pending()))
            .setFailed(gauge(summary.failed()))
            .setLastFailure(summary.lastFailure())
            .build();
    }

    private static Gauge32 gauge(final long value) {
        return new Gauge32(Uint32.valueOf(Math.min(value, 0xFFFF_FFFFL)));
    }

    // On the state writer: mapping counts of the configured gateways, when they changed.
    private void publishCounts() {
        try {
            WriteTransaction tx = null;
            for (var id : Sets.union(views.keySet(), problems.keySet())) {
                final int count = store.count(id);
                final var counted = counters.snapshot(id);
                final boolean countChanged = !Integer.valueOf(count).equals(publishedCounts.put(id, count));
                final boolean countersChanged = counted != null && !counted.equals(publishedCounters.put(id, counted));
                if (countChanged || countersChanged) {
                    if (tx == null) {
                        tx = chain.newWriteOnlyTransaction();
                    }
                    tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL, statePath(id),
                        new StateBuilder().setMappingCount(new Gauge32(Uint32.valueOf(count)))
                            .setCounters(counted).build());
                }
            }
            if (tx != null) {
                StateWrites.logFailure(tx.commit(), LOG, "publish mapping counts");
            }
        } catch (IllegalStateException e) {
            // the chain failed; newChain() replaces it, and the counts go out on the next run
            publishedCounts.clear();
            publishedCounters.clear();
            LOG.debug("Mapping counts not published", e);
        }
    }

    private TransactionChain newChain() {
        final var created = dataBroker.createTransactionChain();
        created.addCallback(new FutureCallback<Empty>() {
            @Override
            public void onSuccess(final Empty result) {
                // closed
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Gateway state transaction chain failed, starting a new one", cause);
                stateWriter.execute(() -> {
                    if (chain == created && !stateWriter.isShutdown()) {
                        publishedCounts.clear();
                        publishedCounters.clear();
                        chain = newChain();
                    }
                });
            }
        }, MoreExecutors.directExecutor());
        return created;
    }

    private static DataObjectIdentifier<State> statePath(final String id) {
        return DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, new GatewayKey(new GatewayId(id)))
            .child(State.class)
            .build();
    }

    @Override
    @Deactivate
    public void close() {
        registrations.forEach(Registration::close);
        dispatcher.shutdown();
        stateWriter.shutdown();
        try {
            stateWriter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        chain.close();
    }
}
