/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.TransactionChain;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.MappingCommon;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Epoch;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.EpochBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.UnreadableBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.UnreadableKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Empty;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.mappinglog.MappingEvent;
import org.pcpcontroller.impl.mappinglog.MappingEventLog;
import org.pcpcontroller.impl.store.StoredEntries.StoredEpoch;
import org.pcpcontroller.impl.store.StoredEntries.Unreadable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MappingStore} kept in the configuration datastore, which OpenDaylight persists and replicates.
 *
 * <p>Decisions are taken on the in-memory {@link MappingTable} under one lock, so that two requests can never be
 * given the same external port. The index runs ahead of the datastore: each change marks its key dirty, and one
 * transaction at a time writes the index's state of every dirty key (group commit: the changes made while a commit
 * runs share the next one). A caller's future completes when the transaction carrying its change commits. If it
 * fails, or is not confirmed within the commit timeout, every change not yet confirmed is undone in the index (the
 * later ones were decided on top of the earlier) and their callers' futures fail; the keys it wrote are dirty again,
 * so that the next transaction writes the index's state over whatever the datastore ended up with. So the datastore
 * holds nothing that was not acknowledged for longer than one commit, and loses nothing that was.
 *
 * <p>At start-up the stored mappings are read entry by entry; one that cannot be read is set aside, listed in the
 * operational datastore ({@code mappings/gateway/unreadable}) with the reason, and the rest is served. A commit
 * cohort ({@link MappingsCohort}) refuses every write of the mappings that is not the store's own, unless the
 * configuration turns it off (a cluster, whose other members' stores it cannot tell from other writers).
 *
 * <p>Every confirmed change of a mapping is told to the mapping log ({@link MappingEventLog}) as added, refreshed,
 * removed or expired: only here is it known which, and whether the change held. The mappings read at start-up are not
 * events; in a cluster each member tells the changes its own store made.
 */
@Component(service = MappingStore.class, configurationPid = "org.pcpcontroller.store")
@Designate(ocd = DatastoreMappingStore.Configuration.class)
public final class DatastoreMappingStore extends IndexedQueries implements AutoCloseable {
    /**
     * Configuration of the mapping store.
     */
    @ObjectClassDefinition(name = "PCP Controller mapping store")
    public @interface Configuration {
        @AttributeDefinition(description = "How often expired leases are removed, in milliseconds")
        long expiry() default 250;

        @AttributeDefinition(description = "How long start-up waits for the stored mappings, in seconds")
        long load() default 120;

        @AttributeDefinition(description = "How long a change waits for the datastore to confirm its commit before "
            + "it is undone and its caller told it failed, in milliseconds")
        long commitTimeout() default DEFAULT_COMMIT_TIMEOUT_MILLIS;

        @AttributeDefinition(description = "Refuse, at commit, every write of the mappings that is not this store's "
            + "(RESTCONF, NETCONF, other applications). Set false in a cluster: there the store of every member "
            + "writes, the commit cohort runs on the member that leads the shard and cannot tell another member's "
            + "store from any other writer, so it would refuse all but its own member's writes")
        boolean refuseOthersWrites() default true;
    }

    /**
     * The default commit timeout: far above a commit's normal time (milliseconds, or a second for a batch of
     * thousands on a loaded machine), well below the time a PCP client keeps retransmitting (RFC 6887 section
     * 8.1.1), so that a datastore that has stopped answering (a cluster without a shard leader) is answered as a
     * temporary failure instead of silence.
     */
    static final long DEFAULT_COMMIT_TIMEOUT_MILLIS = 10_000;
    /** After a failed commit, how soon the keys it wrote are written again when no new change comes to carry them. */
    private static final long REPAIR_DELAY_MILLIS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(DatastoreMappingStore.class);

    /**
     * A caller's change: how to undo it in the index, and how to tell the caller.
     */
    private record Change(Runnable undo, Runnable succeed, Consumer<Throwable> fail) {
    }

    /**
     * The changes of one transaction: collected while the previous transaction commits, then submitted together.
     */
    private static final class Batch {
        final ArrayList<Change> changes = new ArrayList<>();
        /** When its callers stop waiting; armed with its first change. */
        @Nullable ScheduledFuture<?> deadline;
        /** What its transaction writes, once submitted. */
        Written written = Written.NOTHING;
        /** Its callers were told it failed; whatever the commit does now only makes its keys dirty again. */
        boolean abandoned;
        boolean resolved;
    }

    private final DataBroker dataBroker;
    private final Clock clock;
    private final long commitTimeoutMillis;
    /**
     * The expiry timer: a calendar wheel with one slot per second, holding the keys whose lease ends in it. Adding
     * is O(1); each tick visits only the slots that came due. A refresh leaves a stale entry behind, which is skipped
     * because the mapping's expiry moved on.
     */
    private final HashMap<Long, ArrayList<MappingKey>> expirySlots = new HashMap<>();
    /** Every slot up to this second has been processed. */
    private long expiredUpTo;
    private final HashMap<String, StoredEpoch> epochs = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final @Nullable Registration cohort;

    /** Keys whose index state the datastore may not have: the mapping's binding to write, or empty to delete. */
    private final LinkedHashMap<MappingKey, Optional<MappingCommon>> dirty = new LinkedHashMap<>();
    /** Gateways whose epoch the datastore may not have. */
    private final LinkedHashSet<String> dirtyEpochs = new LinkedHashSet<>();
    /** Gateways whose entry is to be deleted as a whole. */
    private final LinkedHashSet<String> deletedGateways = new LinkedHashSet<>();

    /** Stored entries not served, per gateway and path; and those with a readable key, by key. */
    private final HashMap<String, LinkedHashMap<String, Unreadable>> unreadable = new HashMap<>();
    private final HashMap<MappingKey, Unreadable> unreadableByKey = new HashMap<>();

    private volatile CommitHook commitHook = CommitHook.DATASTORE;
    private volatile MappingEventLog eventLog = MappingEventLog.OPERATOR;
    /** Where a test makes a change fail ({@link #failAt}); never in production. */
    private volatile @Nullable ChangeStep failingStep;
    private TransactionChain chain;
    private boolean closed;
    /** The changes waiting for the next transaction. */
    private Batch open = new Batch();
    /** The batch whose transaction is being committed; the next waits for it. */
    private @Nullable Batch inFlight;
    private boolean repairScheduled;

    @Activate
    public DatastoreMappingStore(@Reference final DataBroker dataBroker, @Reference final DOMDataBroker domBroker,
            final Configuration configuration) throws InterruptedException, ExecutionException, TimeoutException {
        this(dataBroker, domBroker, Clock.systemUTC(), configuration.expiry(), configuration.load(),
            configuration.commitTimeout(), configuration.refuseOthersWrites());
    }

    public DatastoreMappingStore(final DataBroker dataBroker, final DOMDataBroker domBroker, final Clock clock,
            final long tickMillis, final long loadTimeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        this(dataBroker, domBroker, clock, tickMillis, loadTimeoutSeconds, DEFAULT_COMMIT_TIMEOUT_MILLIS);
    }

    public DatastoreMappingStore(final DataBroker dataBroker, final DOMDataBroker domBroker, final Clock clock,
            final long tickMillis, final long loadTimeoutSeconds, final long commitTimeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        this(dataBroker, domBroker, clock, tickMillis, loadTimeoutSeconds, commitTimeoutMillis, true);
    }

    public DatastoreMappingStore(final DataBroker dataBroker, final DOMDataBroker domBroker, final Clock clock,
            final long tickMillis, final long loadTimeoutSeconds, final long commitTimeoutMillis,
            final boolean refuseOthersWrites) throws InterruptedException, ExecutionException, TimeoutException {
        this.dataBroker = requireNonNull(dataBroker);
        this.clock = requireNonNull(clock);
        this.commitTimeoutMillis = commitTimeoutMillis;
        // leases that ended while the controller was down fall into the first slot, removed on the first tick
        expiredUpTo = clock.instant().getEpochSecond() - 1;
        load(domBroker, loadTimeoutSeconds);
        chain = newChain();
        timer = Executors.newSingleThreadScheduledExecutor(new ThreadFactoryBuilder()
            .setNameFormat("pcp-mapping-store").setDaemon(true).build());
        timer.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        final var cohorts = domBroker.extension(DOMDataBroker.CommitCohortExtension.class);
        if (!refuseOthersWrites) {
            LOG.warn("Writes of the mappings by others are not refused (refuseOthersWrites=false): a mapping written "
                + "past the RPCs is put into effect without entering this store's index");
            cohort = null;
        } else if (cohorts == null) {
            LOG.warn("The data broker takes no commit cohorts: writes of the mappings by others are not refused");
            cohort = null;
        } else {
            cohort = cohorts.registerCommitCohort(DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION,
                YangInstanceIdentifier.of(DomMappings.MAPPINGS)), new MappingsCohort(new CohortSide()));
        }
        LOG.info("Mapping store started");
    }

    /**
     * Indexes every stored mapping and epoch. Read as DOM nodes and converted directly ({@link DomMappings}): through
     * the binding objects, a million mappings took longer to read than the datastore took to recover them.
     */
    private void load(final DOMDataBroker domBroker, final long timeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        final Optional<NormalizedNode> stored;
        try (var tx = domBroker.newReadOnlyTransaction()) {
            stored = tx.read(LogicalDatastoreType.CONFIGURATION, YangInstanceIdentifier.of(DomMappings.MAPPINGS))
                .get(timeoutSeconds, TimeUnit.SECONDS);
        }
        final var entries = StoredEntries.read(stored.orElse(null));
        epochs.putAll(entries.epochs());
        final var setAside = new ArrayList<>(entries.unreadable());
        for (var mapping : entries.mappings()) {
            // two stored entries on one external endpoint (written by hand): only the first is served
            final var holder = table.conflictingOwner(mapping.externalEndpoint(), mapping.key().internalEndpoint());
            if (holder != null) {
                final var reason = "its external endpoint " + mapping.externalAddress().getHostAddress() + " port "
                    + mapping.externalPort() + " is held by " + holder;
                LOG.warn("Gateway {}: the stored mapping {} is not served: {}", mapping.key().gateway(),
                    mapping.key(), reason);
                setAside.add(new Unreadable(mapping.key().gateway(), StoredEntries.entryPath(mapping.key()), reason,
                    mapping.key()));
            } else {
                index(mapping);
            }
        }
        synchronized (this) {
            setAside.forEach(this::setAside);
        }
        publishUnreadable(setAside, List.of());
        LOG.info("Loaded {} mappings from the datastore, set aside {}", table.all().size(), setAside.size());
    }

    private void index(final Mapping mapping) {
        table.put(mapping);
        final var expires = mapping.expires();
        if (expires != null) {
            scheduleExpiry(mapping.key(), expires);
        }
    }

    // Called with the lock held. The slot is the second at or after the expiry; overdue leases go to the next slot.
    private void scheduleExpiry(final MappingKey key, final Instant expires) {
        final long second = expires.getEpochSecond() + (expires.getNano() > 0 ? 1 : 0);
        expirySlots.computeIfAbsent(Math.max(second, expiredUpTo + 1), slot -> new ArrayList<>(4)).add(key);
    }

    private TransactionChain newChain() {
        final var created = dataBroker.createTransactionChain();
        created.addCallback(new FutureCallback<Empty>() {
            @Override
            public void onSuccess(final Empty result) {
                LOG.debug("Mapping transaction chain closed");
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Mapping transaction chain failed, starting a new one", cause);
                synchronized (DatastoreMappingStore.this) {
                    if (chain == created && !closed) {
                        chain = newChain();
                    }
                }
            }
        });
        return created;
    }

    @Override
    public ListenableFuture<Mapping> put(final Mapping mapping) {
        return store(mapping, true);
    }

    @Override
    public ListenableFuture<Mapping> create(final Mapping mapping) {
        return store(mapping, false);
    }

    // Whatever the model refuses (a description too long, a protocol it has no name for) is refused before the
    // index changes: nothing is held for a mapping that cannot be stored.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private ListenableFuture<Mapping> store(final Mapping mapping, final boolean replace) {
        final MappingCommon binding;
        try {
            binding = BindingMappings.toBinding(mapping);
            reached(ChangeStep.CONVERTED);
        } catch (RuntimeException e) {
            return Futures.immediateFailedFuture(new IllegalArgumentException(mapping.key() + " cannot be stored: "
                + e.getMessage(), e));
        }
        final var key = mapping.key();
        final var result = SettableFuture.<Mapping>create();
        final var at = clock.instant();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            if (!replace && table.get(key).isPresent()) {
                return Futures.immediateFailedFuture(new MappingConflictException(key));
            }
            final var holder = table.conflictingOwner(mapping.externalEndpoint(), key.internalEndpoint());
            if (holder != null) {
                return Futures.immediateFailedFuture(new MappingConflictException(mapping.externalEndpoint(), holder));
            }
            final var previous = table.put(mapping);
            final Runnable undo = () -> {
                if (table.get(key).filter(mapping::equals).isPresent()) {
                    if (previous != null) {
                        index(previous);
                    } else {
                        table.remove(key);
                    }
                    markDirty(key);
                }
            };
            try {
                reached(ChangeStep.INDEXED);
                final var expires = mapping.expires();
                if (expires != null) {
                    scheduleExpiry(key, expires);
                    reached(ChangeStep.EXPIRY_SCHEDULED);
                }
            } catch (RuntimeException e) {
                // a stale expiry entry is harmless: the timer checks the mapping it finds
                undo.run();
                return Futures.immediateFailedFuture(e);
            }
            dirty.put(key, Optional.of(binding));
            final var kind = previous == null ? MappingEvent.Kind.ADDED : MappingEvent.Kind.REFRESHED;
            add(new Change(undo, () -> {
                logEvent(kind, mapping, at);
                result.set(mapping);
            }, result::setException));
        }
        commitPending();
        return result;
    }

    @Override
    public ListenableFuture<Optional<Mapping>> remove(final MappingKey key) {
        return remove(key, null, MappingEvent.Kind.REMOVED);
    }

    // A failure injected by a test (failAt) is undone at once, like any failure after the index changed.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private ListenableFuture<Optional<Mapping>> remove(final MappingKey key, final @Nullable Mapping expected,
            final MappingEvent.Kind kind) {
        final var result = SettableFuture.<Optional<Mapping>>create();
        final var at = clock.instant();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            if (expected != null && !table.get(key).equals(Optional.of(expected))) {
                return Futures.immediateFuture(Optional.empty());
            }
            final var removed = table.remove(key);
            if (removed == null) {
                return Futures.immediateFuture(Optional.empty());
            }
            final Runnable undo = () -> {
                if (table.get(key).isEmpty()) {
                    index(removed);
                    markDirty(key);
                }
            };
            try {
                reached(ChangeStep.INDEXED);
            } catch (RuntimeException e) {
                undo.run();
                return Futures.immediateFailedFuture(e);
            }
            dirty.put(key, Optional.empty());
            add(new Change(undo, () -> {
                logEvent(kind, removed, at);
                result.set(Optional.of(removed));
            }, result::setException));
        }
        commitPending();
        return result;
    }

    @Override
    public ListenableFuture<Optional<Mapping>> removeIfUnchanged(final Mapping expected) {
        return remove(expected.key(), expected, MappingEvent.Kind.REMOVED);
    }

    @Override
    public ListenableFuture<List<Mapping>> clear(final String gateway, final @Nullable Origin origin) {
        return removeMappings(gateway, origin, false);
    }

    @Override
    public ListenableFuture<List<Mapping>> removeGateway(final String gateway) {
        return removeMappings(gateway, null, true);
    }

    // A failure injected by a test (failAt) is undone at once, like any failure after the index changed.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private ListenableFuture<List<Mapping>> removeMappings(final String gateway, final @Nullable Origin origin,
            final boolean forget) {
        final var result = SettableFuture.<List<Mapping>>create();
        final var at = clock.instant();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            final var removed = new ArrayList<Mapping>();
            for (var mapping : table.mappings(gateway)) {
                if (origin == null || mapping.origin() == origin) {
                    table.remove(mapping.key());
                    dirty.put(mapping.key(), Optional.empty());
                    removed.add(mapping);
                }
            }
            final var copy = List.copyOf(removed);
            // The whole gateway entry goes, epoch included: a gateway configured again later starts a new epoch, as
            // its clients' state is lost (RFC 6887 section 8.5).
            final var epoch = forget ? epochs.remove(gateway) : null;
            if (forget) {
                dirtyEpochs.remove(gateway);
                deletedGateways.add(gateway);
            }
            final Runnable undo = () -> {
                for (var mapping : copy) {
                    if (table.get(mapping.key()).isEmpty()) {
                        index(mapping);
                        markDirty(mapping.key());
                    }
                }
                if (forget) {
                    deletedGateways.remove(gateway);
                    if (epoch != null && !epochs.containsKey(gateway)) {
                        epochs.put(gateway, epoch);
                        dirtyEpochs.add(gateway);
                    }
                }
            };
            try {
                reached(ChangeStep.INDEXED);
            } catch (RuntimeException e) {
                undo.run();
                return Futures.immediateFailedFuture(e);
            }
            add(new Change(undo, () -> {
                copy.forEach(mapping -> logEvent(MappingEvent.Kind.REMOVED, mapping, at));
                result.set(copy);
            }, result::setException));
        }
        commitPending();
        return result;
    }

    @Override
    public ListenableFuture<Instant> epochOrigin(final String gateway, final @Nullable InetAddress externalAddress) {
        final var result = SettableFuture.<Instant>create();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            final var stored = epochs.get(gateway);
            if (stored != null && Objects.equals(stored.externalAddress(), externalAddress)) {
                return Futures.immediateFuture(stored.origin());
            }
            // the datastore's precision, so that the epoch continues to the millisecond after a restart
            final var epoch = new StoredEpoch(clock.instant().truncatedTo(ChronoUnit.MILLIS), externalAddress);
            epochs.put(gateway, epoch);
            dirtyEpochs.add(gateway);
            add(new Change(() -> {
                if (epoch.equals(epochs.get(gateway))) {
                    if (stored != null) {
                        epochs.put(gateway, stored);
                    } else {
                        epochs.remove(gateway);
                    }
                    dirtyEpochs.add(gateway);
                }
            }, () -> result.set(epoch.origin()), result::setException));
        }
        commitPending();
        return result;
    }

    /**
     * Adds a change to the open batch; its callers stop waiting at the batch's deadline. Called with the lock held.
     */
    private void add(final Change change) {
        final var batch = open;
        if (batch.changes.isEmpty() && !timer.isShutdown()) {
            batch.deadline = timer.schedule(() -> deadline(batch), commitTimeoutMillis, TimeUnit.MILLISECONDS);
        }
        batch.changes.add(change);
    }

    // A mapping the index held before is written back; its conversion worked when it was first stored. Locked.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void markDirty(final MappingKey key) {
        final var current = table.get(key);
        if (current.isEmpty()) {
            dirty.put(key, Optional.empty());
            return;
        }
        try {
            dirty.put(key, Optional.of(BindingMappings.toBinding(current.orElseThrow())));
        } catch (RuntimeException e) {
            LOG.error("Cannot write {} back to the datastore", key, e);
        }
    }

    /**
     * Submits the open batch and the dirty keys unless a commit is in flight: its completion submits them. So at low
     * load every change is committed at once, and at high load the changes arriving during one commit share the next.
     */
    // A commit that throws instead of returning a failed future is a failed commit all the same.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void commitPending() {
        final Batch batch;
        ListenableFuture<? extends CommitInfo> commit;
        synchronized (this) {
            if (closed || inFlight != null || open.changes.isEmpty() && dirty.isEmpty() && dirtyEpochs.isEmpty()
                    && deletedGateways.isEmpty()) {
                return;
            }
            batch = open;
            open = new Batch();
            inFlight = batch;
            try {
                // submitted under the lock: the chain refuses a new transaction while the previous one is open
                final var tx = newTransaction();
                try {
                    batch.written = writeDirty(tx);
                    reached(ChangeStep.WRITTEN);
                    reached(ChangeStep.SUBMITTED);
                } catch (RuntimeException e) {
                    // the transaction may hold part of the changes: none of them is committed
                    tx.cancel();
                    throw e;
                }
                commit = commitHook.commit(tx);
            } catch (RuntimeException e) {
                // every change of the batch is undone by the callback below, and the keys written again later
                commit = Futures.immediateFailedFuture(e);
            }
        }
        whenCommitted(batch, commit);
    }

    // Called with the lock held.
    private WriteTransaction newTransaction() {
        try {
            return chain.newWriteOnlyTransaction();
        } catch (IllegalStateException e) {
            // the chain failed and its replacement has not been made yet
            LOG.debug("Transaction chain unusable, starting a new one", e);
            chain = newChain();
            return chain.newWriteOnlyTransaction();
        }
    }

    /**
     * Writes the index's state of every dirty key into a transaction, and says what it wrote. Each gateway's entry is
     * merged once per transaction, not once per mapping: merging the parent structure cost more than the mapping's
     * own write. A delete merges it too, because a delete below an entry that does not exist fails the transaction.
     * Called with the lock held.
     */
    private Written writeDirty(final WriteTransaction tx) {
        final var mappings = new HashMap<MappingKey, Optional<Mapping>>();
        final var writtenEpochs = new HashMap<String, Optional<StoredEpoch>>();
        final var deleted = Set.copyOf(deletedGateways);
        for (var gateway : deletedGateways) {
            tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.gatewayPath(gateway));
        }
        final var merged = new HashSet<String>();
        for (var entry : dirty.entrySet()) {
            final var key = entry.getKey();
            final var gateway = key.gateway();
            final var binding = entry.getValue();
            if (binding.isEmpty() && deleted.contains(gateway)) {
                // gone with its gateway
                mappings.put(key, Optional.empty());
                continue;
            }
            if (merged.add(gateway)) {
                BindingMappings.mergeGateway(tx, gateway);
            }
            if (binding.isPresent()) {
                BindingMappings.putUnderGateway(tx, gateway, binding.orElseThrow());
                mappings.put(key, table.get(key));
            } else {
                tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.path(key));
                mappings.put(key, Optional.empty());
            }
        }
        for (var gateway : dirtyEpochs) {
            final var epoch = epochs.get(gateway);
            final var path = BindingMappings.gatewayPath(gateway).toBuilder().child(Epoch.class).build();
            if (epoch != null) {
                final var builder = new EpochBuilder().setOrigin(BindingMappings.dateAndTime(epoch.origin()));
                if (epoch.externalAddress() != null) {
                    builder.setExternalAddress(BindingMappings.address(epoch.externalAddress()));
                }
                tx.mergeParentStructurePut(LogicalDatastoreType.CONFIGURATION, path, builder.build());
            } else if (!deleted.contains(gateway)) {
                if (merged.add(gateway)) {
                    BindingMappings.mergeGateway(tx, gateway);
                }
                tx.delete(LogicalDatastoreType.CONFIGURATION, path);
            }
            writtenEpochs.put(gateway, Optional.ofNullable(epoch));
        }
        dirty.clear();
        dirtyEpochs.clear();
        deletedGateways.clear();
        return new Written(mappings, writtenEpochs, deleted);
    }

    private void whenCommitted(final Batch batch, final ListenableFuture<? extends CommitInfo> commit) {
        Futures.addCallback(commit, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo info) {
                final List<Change> confirmed;
                final List<Unreadable> replaced;
                synchronized (DatastoreMappingStore.this) {
                    resolved(batch);
                    confirmed = batch.abandoned ? List.of() : batch.changes;
                    if (batch.abandoned) {
                        // applied after its callers were told it failed: write the index's state over it
                        markWrittenDirty(batch.written);
                    }
                    replaced = replacedUnreadable(batch.written);
                }
                publishUnreadable(List.of(), replaced);
                confirmed.forEach(change -> change.succeed().run());
                commitPending();
            }

            @Override
            public void onFailure(final Throwable cause) {
                final List<Change> failed;
                final boolean waiting;
                synchronized (DatastoreMappingStore.this) {
                    resolved(batch);
                    if (batch.abandoned || batch.changes.isEmpty()) {
                        // nothing of it was acknowledged, nor decided on: only its keys are uncertain
                        LOG.warn("Writing {} keys again failed", batch.written.mappings().size(), cause);
                        failed = List.of();
                    } else {
                        LOG.warn("Committing {} changes failed, undoing them and those made since", batch.changes
                            .size(), cause);
                        failed = undoUnconfirmed(batch);
                    }
                    // whatever the datastore kept of it, the next transaction writes the index's state over it
                    markWrittenDirty(batch.written);
                    scheduleRepair();
                    waiting = !open.changes.isEmpty();
                }
                failed.forEach(change -> change.fail().accept(cause));
                if (waiting) {
                    // callers wait; without them the repair waits for its delay, not to hammer a failing datastore
                    commitPending();
                }
            }
        }, MoreExecutors.directExecutor());
    }

    // Locked.
    private synchronized void resolved(final Batch batch) {
        batch.resolved = true;
        if (batch.deadline != null) {
            batch.deadline.cancel(false);
        }
        if (inFlight == batch) {
            inFlight = null;
        }
    }

    /**
     * Undoes, newest first, the changes of the batch in flight and of the open batch, which were decided on top of
     * it; their callers are to be told. Locked.
     */
    private List<Change> undoUnconfirmed(final Batch failed) {
        final var undone = new ArrayList<Change>(open.changes);
        if (open.deadline != null) {
            open.deadline.cancel(false);
        }
        open = new Batch();
        undone.addAll(failed.changes);
        for (int i = undone.size() - 1; i >= 0; i--) {
            undone.get(i).undo().run();
        }
        return undone;
    }

    // Locked.
    private void markWrittenDirty(final Written written) {
        written.mappings().keySet().forEach(this::markDirty);
        dirtyEpochs.addAll(written.epochs().keySet());
    }

    // Keys the failed commit left uncertain are written again with the next change, or after a delay. Locked.
    private void scheduleRepair() {
        if (!repairScheduled && !timer.isShutdown() && !dirty.isEmpty()) {
            repairScheduled = true;
            timer.schedule(() -> {
                synchronized (this) {
                    repairScheduled = false;
                }
                commitPending();
            }, REPAIR_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A batch's callers have waited as long as they may: a batch in flight is abandoned (its changes and the later
     * ones are undone, its keys written again once it completes); an open batch, waiting behind an abandoned one,
     * is undone.
     */
    private void deadline(final Batch batch) {
        final List<Change> failed;
        synchronized (this) {
            if (batch.resolved || batch.abandoned) {
                return;
            }
            if (batch == inFlight) {
                LOG.warn("The datastore has not confirmed a commit of {} changes within {} ms: undoing them and "
                    + "those made since", batch.changes.size(), commitTimeoutMillis);
                batch.abandoned = true;
                failed = undoUnconfirmed(batch);
            } else if (batch == open) {
                batch.abandoned = true;
                failed = undoUnconfirmed(new Batch());
            } else {
                return;
            }
        }
        final var timeout = new CommitTimeoutException(commitTimeoutMillis);
        failed.forEach(change -> change.fail().accept(timeout));
    }

    /**
     * Removes the mappings whose lease has ended. Only due entries are looked
     * at: a refreshed mapping leaves a stale entry behind, skipped here because the mapping's expiry moved on.
     */
    // A scheduled task that throws is never run again: log and carry on instead.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void tick() {
        try {
            final var now = clock.instant();
            final var due = new ArrayList<Mapping>();
            synchronized (this) {
                final long second = now.getEpochSecond();
                for (long slot = expiredUpTo + 1; slot <= second; slot++) {
                    final var keys = expirySlots.remove(slot);
                    if (keys != null) {
                        for (var key : keys) {
                            table.get(key)
                                .filter(mapping -> mapping.expires() != null && !mapping.expires().isAfter(now))
                                .ifPresent(due::add);
                        }
                    }
                }
                expiredUpTo = Math.max(expiredUpTo, second);
            }
            for (var mapping : due) {
                LOG.debug("Lease of {} ended", mapping.key());
                // only the lease that ended: a refresh between the look above and this removal keeps the mapping
                remove(mapping.key(), mapping, MappingEvent.Kind.EXPIRED);
            }
        } catch (RuntimeException e) {
            LOG.warn("Expiry tick failed", e);
        }
    }

    /**
     * Runs expiry now; for tests that drive the clock.
     */
    void expireNow() {
        tick();
    }

    /**
     * Makes every later change fail at this step, or none (null): for tests that check that a failure anywhere
     * between the index and the commit leaves the index as the datastore is. The commit's own outcome (failed, never
     * confirmed, applied but reported failed) is the {@link CommitHook}'s.
     */
    void failAt(final @Nullable ChangeStep step) {
        failingStep = step;
    }

    private void reached(final ChangeStep step) {
        if (step == failingStep) {
            throw new IllegalStateException("injected failure at " + step);
        }
    }

    /**
     * Tells the mapping log of a change the datastore confirmed. Called outside the lock, before the change's caller
     * hears of it, so that the line of a change comes before anything its caller logs about it. Nothing is made for a
     * log that is off: this runs for every change, thousands a second.
     */
    // The log must not stop the commit's callbacks: the callers of the later changes of the batch would never hear.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void logEvent(final MappingEvent.Kind kind, final Mapping mapping, final Instant at) {
        final var log = eventLog;
        if (log.enabled()) {
            try {
                log.log(new MappingEvent(kind, mapping, at));
            } catch (RuntimeException e) {
                LOG.warn("The mapping log failed on {} {}", kind, mapping.key(), e);
            }
        }
    }

    /**
     * Replaces where mapping events go, {@link MappingEventLog#OPERATOR} by default; for tests that read the events.
     */
    void eventLog(final MappingEventLog log) {
        eventLog = requireNonNull(log);
    }

    /**
     * Replaces how transactions are committed; for fault tests.
     */
    void commitHook(final CommitHook hook) {
        commitHook = requireNonNull(hook);
    }

    /**
     * A future that completes once every change made before the call is committed or undone.
     */
    ListenableFuture<?> awaitCommitted() {
        final var done = SettableFuture.<Void>create();
        synchronized (this) {
            if (closed || inFlight == null && open.changes.isEmpty() && dirty.isEmpty() && dirtyEpochs.isEmpty()
                    && deletedGateways.isEmpty()) {
                return Futures.immediateVoidFuture();
            }
            add(new Change(() -> { }, () -> done.set(null), cause -> done.set(null)));
        }
        commitPending();
        return done;
    }

    /**
     * What differs between the index and the datastore, and within the index: empty when they agree. Waits for the
     * changes made before the call; for tests, which must not change the store meanwhile.
     */
    List<String> consistencyProblems(final DOMDataBroker domBroker) throws InterruptedException, ExecutionException,
            TimeoutException {
        awaitCommitted().get(commitTimeoutMillis * 2, TimeUnit.MILLISECONDS);
        final Optional<NormalizedNode> read;
        try (var tx = domBroker.newReadOnlyTransaction()) {
            read = tx.read(LogicalDatastoreType.CONFIGURATION, YangInstanceIdentifier.of(DomMappings.MAPPINGS))
                .get(10, TimeUnit.SECONDS);
        }
        final var stored = StoredEntries.read(read.orElse(null));
        final var problems = new ArrayList<String>();
        synchronized (this) {
            problems.addAll(table.selfCheck());
            final var indexed = new HashMap<MappingKey, Mapping>();
            table.all().forEach(mapping -> indexed.put(mapping.key(), mapping));
            for (var mapping : stored.mappings()) {
                final var held = indexed.remove(mapping.key());
                if (held == null) {
                    if (!unreadableByKey.containsKey(mapping.key())) {
                        problems.add("stored but not indexed: " + mapping);
                    }
                } else if (!DomMappings.same(held, mapping)) {
                    problems.add("indexed " + held + " but stored " + mapping);
                }
            }
            indexed.values().forEach(mapping -> problems.add("indexed but not stored: " + mapping));
            if (!stored.epochs().equals(epochs)) {
                problems.add("epochs: indexed " + epochs + " but stored " + stored.epochs());
            }
        }
        return problems;
    }

    /**
     * The stored entries set aside at start-up and still there.
     */
    synchronized List<Unreadable> unreadable() {
        final var all = new ArrayList<Unreadable>();
        unreadable.values().forEach(entries -> all.addAll(entries.values()));
        return all;
    }

    // Locked.
    private void setAside(final Unreadable entry) {
        unreadable.computeIfAbsent(entry.gateway(), gateway -> new LinkedHashMap<>()).put(entry.entry(), entry);
        if (entry.key() != null) {
            unreadableByKey.put(entry.key(), entry);
        }
    }

    // Locked.
    private void forget(final Unreadable entry) {
        final var entries = unreadable.get(entry.gateway());
        if (entries != null && entries.remove(entry.entry()) != null && entries.isEmpty()) {
            unreadable.remove(entry.gateway());
        }
        if (entry.key() != null) {
            unreadableByKey.remove(entry.key());
        }
    }

    /**
     * The unreadable entries a committed transaction wrote over: a mapping of the same key, or its gateway deleted.
     * Locked.
     */
    private List<Unreadable> replacedUnreadable(final Written written) {
        if (unreadable.isEmpty()) {
            return List.of();
        }
        final var replaced = new ArrayList<Unreadable>();
        for (var key : written.mappings().keySet()) {
            final var entry = unreadableByKey.get(key);
            if (entry != null) {
                replaced.add(entry);
            }
        }
        for (var gateway : written.deletedGateways()) {
            final var entries = unreadable.get(gateway);
            if (entries != null) {
                replaced.addAll(entries.values());
            }
        }
        replaced.forEach(this::forget);
        return replaced;
    }

    /**
     * Lists and unlists unreadable entries in the operational datastore. Its own transaction: this is state for the
     * operator, not part of the mappings' commits.
     */
    private void publishUnreadable(final List<Unreadable> listed, final List<Unreadable> unlisted) {
        if (listed.isEmpty() && unlisted.isEmpty()) {
            return;
        }
        final var tx = dataBroker.newWriteOnlyTransaction();
        for (var entry : listed) {
            tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, unreadablePath(entry), new UnreadableBuilder()
                .setEntry(entry.entry()).setReason(entry.reason()).build());
        }
        for (var entry : unlisted) {
            // a delete below a node that does not exist fails the whole transaction
            tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL, BindingMappings.gatewayPath(entry.gateway()),
                new GatewayBuilder().setGatewayId(new GatewayId(entry.gateway())).build());
            tx.delete(LogicalDatastoreType.OPERATIONAL, unreadablePath(entry));
        }
        Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                LOG.debug("Unreadable entries: {} listed, {} unlisted", listed.size(), unlisted.size());
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Could not list the unreadable entries in the operational datastore", cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private static DataObjectIdentifier<org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123
            .mappings.gateway.Unreadable> unreadablePath(final Unreadable entry) {
        return BindingMappings.gatewayPath(entry.gateway()).toBuilder()
            .child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway
                .Unreadable.class, new UnreadableKey(entry.entry()))
            .build();
    }

    /**
     * What the commit cohort asks of the store.
     */
    private final class CohortSide implements MappingsCohort.Writer {
        @Override
        public Written writing() {
            synchronized (DatastoreMappingStore.this) {
                final var batch = inFlight;
                return batch == null ? Written.NOTHING : batch.written;
            }
        }

        @Override
        public Optional<Unreadable> unreadable(final String gateway, final String entry) {
            synchronized (DatastoreMappingStore.this) {
                final var entries = unreadable.get(gateway);
                return entries == null ? Optional.empty() : Optional.ofNullable(entries.get(entry));
            }
        }

        @Override
        public void unreadableDeleted(final List<Unreadable> deleted) {
            synchronized (DatastoreMappingStore.this) {
                deleted.forEach(DatastoreMappingStore.this::forget);
            }
            LOG.info("Unreadable entries deleted: {}", deleted);
            publishUnreadable(List.of(), deleted);
        }
    }

    @Override
    @Deactivate
    public void close() {
        final Batch last;
        ListenableFuture<? extends CommitInfo> lastCommit = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            // the callers of these changes wait for them: submit what was asked before closing
            if (open.changes.isEmpty() && dirty.isEmpty() && dirtyEpochs.isEmpty() && deletedGateways.isEmpty()) {
                last = null;
            } else {
                last = open;
                open = new Batch();
                final var tx = newTransaction();
                last.written = writeDirty(tx);
                lastCommit = commitHook.commit(tx);
            }
        }
        if (last != null) {
            whenCommitted(last, requireNonNull(lastCommit));
        }
        if (cohort != null) {
            cohort.close();
        }
        // the list describes this run's index; the next start reads the datastore again
        publishUnreadable(List.of(), unreadable());
        timer.shutdownNow();
        chain.close();
        LOG.info("Mapping store stopped");
    }
}
