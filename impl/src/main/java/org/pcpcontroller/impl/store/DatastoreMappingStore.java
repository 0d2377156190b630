/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.MappingCommon;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Epoch;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.EpochBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Empty;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.net.IpPrefix;
import org.pcpcontroller.api.net.PortRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MappingStore} kept in the configuration datastore, which OpenDaylight persists and replicates.
 *
 * <p>Decisions are taken on the in-memory {@link MappingTable} under one lock, so that two requests can never be
 * given the same external port; the datastore write follows through a transaction chain, which keeps writes in
 * order. If a commit fails, the index change is undone and the caller's future fails: nothing is acknowledged that
 * is not stored. The same holds for every step between the index and the commit ({@link ChangeStep}): what can fail
 * without side effects (the conversion to the model, the transaction) runs before the index changes, and a failure
 * after it undoes the index change; the caller's future fails either way, and nothing is thrown.
 */
@Component(service = MappingStore.class, configurationPid = "org.pcpcontroller.store")
@Designate(ocd = DatastoreMappingStore.Configuration.class)
public final class DatastoreMappingStore implements MappingStore, AutoCloseable {
    /**
     * Configuration of the mapping store.
     */
    @ObjectClassDefinition(name = "PCP Controller mapping store")
    public @interface Configuration {
        @AttributeDefinition(description = "How often expired leases are removed, in milliseconds")
        long expiry() default 250;

        @AttributeDefinition(description = "How long start-up waits for the stored mappings, in seconds")
        long load() default 120;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DatastoreMappingStore.class);
    private static final NodeIdentifier EPOCH_NODE = NodeIdentifier.create(Epoch.QNAME);
    private static final NodeIdentifier EPOCH_ORIGIN = NodeIdentifier.create(QName.create(Epoch.QNAME, "origin"));
    private static final NodeIdentifier EPOCH_EXTERNAL = NodeIdentifier.create(
        QName.create(Epoch.QNAME, "external-address"));

    private record StoredEpoch(Instant origin, @Nullable InetAddress externalAddress) {
    }

    /**
     * Changes committed together in one transaction. Each change brings what completes its caller's future and
     * what undoes its index change if the commit fails.
     */
    private static final class Batch {
        final WriteTransaction tx;
        final List<Runnable> onSuccess = new ArrayList<>();
        final List<Consumer<Throwable>> onFailure = new ArrayList<>();
        /** The gateways whose entry this transaction has merged already. */
        private final HashSet<String> gateways = new HashSet<>();

        Batch(final WriteTransaction tx) {
            this.tx = tx;
        }

        /**
         * Writes a mapping, converted already. Its gateway's entry is merged once per gateway and batch, not once per
         * mapping: merging the parent structure cost more than the mapping's own write.
         */
        void put(final String gateway, final MappingCommon binding) {
            if (gateways.add(gateway)) {
                BindingMappings.mergeGateway(tx, gateway);
            }
            BindingMappings.putUnderGateway(tx, gateway, binding);
        }

        void deleteGateway(final String gateway) {
            gateways.remove(gateway);
            tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.gatewayPath(gateway));
        }
    }

    private final DataBroker dataBroker;
    private final Clock clock;
    private final MappingTable table = new MappingTable();
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

    private TransactionChain chain;
    private boolean closed;
    /** Changes not yet submitted, collected in one open transaction; null when there are none. */
    private @Nullable Batch pending;
    /** Whether a batch is being committed; the next one waits for it (group commit). */
    private boolean committing;
    /** Where a test makes a change fail ({@link #failAt}); never in production. */
    private volatile @Nullable ChangeStep failingStep;

    @Activate
    public DatastoreMappingStore(@Reference final DataBroker dataBroker, @Reference final DOMDataBroker domBroker,
            final Configuration configuration) throws InterruptedException, ExecutionException, TimeoutException {
        this(dataBroker, domBroker, Clock.systemUTC(), configuration.expiry(), configuration.load());
    }

    public DatastoreMappingStore(final DataBroker dataBroker, final DOMDataBroker domBroker, final Clock clock,
            final long tickMillis, final long loadTimeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        this.dataBroker = requireNonNull(dataBroker);
        this.clock = requireNonNull(clock);
        // leases that ended while the controller was down fall into the first slot, removed on the first tick
        expiredUpTo = clock.instant().getEpochSecond() - 1;
        load(domBroker, loadTimeoutSeconds);
        chain = newChain();
        timer = Executors.newSingleThreadScheduledExecutor(new ThreadFactoryBuilder()
            .setNameFormat("pcp-mapping-expiry").setDaemon(true).build());
        timer.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
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
        int count = 0;
        if (stored.orElse(null) instanceof DataContainerNode mappings
                && mappings.childByArg(DomMappings.GATEWAY) instanceof MapNode gateways) {
            for (var gateway : gateways.body()) {
                final var id = (String) gateway.name().getValue(DomMappings.GATEWAY_ID);
                if (gateway.childByArg(EPOCH_NODE) instanceof DataContainerNode epoch
                        && epoch.childByArg(EPOCH_ORIGIN) instanceof LeafNode<?> origin) {
                    final var external = epoch.childByArg(EPOCH_EXTERNAL) instanceof LeafNode<?> address
                        ? InetAddresses.forString((String) address.body()) : null;
                    epochs.put(id, new StoredEpoch(BindingMappings.instant((String) origin.body()),
                        external));
                }
                if (gateway.childByArg(DomMappings.MAP) instanceof MapNode maps) {
                    for (var map : maps.body()) {
                        index(DomMappings.fromMap(id, map));
                        count++;
                    }
                }
                if (gateway.childByArg(DomMappings.PEER) instanceof MapNode peers) {
                    for (var peer : peers.body()) {
                        index(DomMappings.fromPeer(id, peer));
                        count++;
                    }
                }
            }
        }
        LOG.info("Loaded {} mappings from the datastore", count);
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
    public synchronized Optional<Mapping> get(final MappingKey key) {
        return table.get(key);
    }

    @Override
    public synchronized int count(final String gateway) {
        return table.size(gateway);
    }

    @Override
    public synchronized int countAll() {
        return table.total();
    }

    @Override
    public synchronized int countForClient(final String gateway, final IpPrefix client) {
        return table.countForInternalPrefix(gateway, client);
    }

    @Override
    public synchronized List<Mapping> mappings(final String gateway) {
        return table.mappings(gateway);
    }

    @Override
    public synchronized @Nullable InternalEndpoint conflictingOwner(final ExternalEndpoint external,
            final InternalEndpoint owner) {
        return table.conflictingOwner(external, owner);
    }

    @Override
    public synchronized OptionalInt nextFreePort(final String gateway, final InetAddress externalAddress,
            final int protocol, final PortRange range, final int from) {
        return table.nextFreePort(gateway, externalAddress, protocol, range, from);
    }

    @Override
    public synchronized List<Mapping> mappingsOf(final String gateway, final InetAddress internal) {
        return table.mappingsOf(gateway, internal);
    }

    @Override
    public ListenableFuture<Mapping> put(final Mapping mapping) {
        return store(mapping, true);
    }

    @Override
    public ListenableFuture<Mapping> create(final Mapping mapping) {
        return store(mapping, false);
    }

    // The binding and datastore APIs report their problems as assorted unchecked exceptions: each becomes the
    // caller's failed future, with the index undone, and none escapes.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private ListenableFuture<Mapping> store(final Mapping mapping, final boolean replace) {
        // Converted before the index changes: a mapping the model cannot hold is refused with nothing to undo.
        final MappingCommon binding;
        try {
            binding = BindingMappings.toBinding(mapping);
            reached(ChangeStep.CONVERTED);
        } catch (RuntimeException e) {
            LOG.warn("Cannot store {}", mapping.key(), e);
            return Futures.immediateFailedFuture(e);
        }
        final var result = SettableFuture.<Mapping>create();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            if (!replace && table.get(mapping.key()).isPresent()) {
                return Futures.immediateFailedFuture(new MappingConflictException(mapping.key()));
            }
            final var holder = table.conflictingOwner(mapping.externalEndpoint(), mapping.key().internalEndpoint());
            if (holder != null) {
                return Futures.immediateFailedFuture(new MappingConflictException(mapping.externalEndpoint(), holder));
            }
            final Batch batch;
            try {
                batch = batch();
            } catch (RuntimeException e) {
                return Futures.immediateFailedFuture(e);
            }
            final var previous = table.put(mapping);
            final Consumer<Throwable> undo = cause -> {
                LOG.warn("Storing {} failed, undoing it", mapping.key(), cause);
                if (table.get(mapping.key()).filter(mapping::equals).isPresent()) {
                    if (previous != null) {
                        table.put(previous);
                    } else {
                        table.remove(mapping.key());
                    }
                }
                result.setException(cause);
            };
            try {
                reached(ChangeStep.INDEXED);
                final var expires = mapping.expires();
                if (expires != null) {
                    scheduleExpiry(mapping.key(), expires);
                    reached(ChangeStep.EXPIRY_SCHEDULED);
                }
            } catch (RuntimeException e) {
                // a stale expiry entry is harmless: the timer checks the mapping it finds
                undo.accept(e);
                return result;
            }
            try {
                batch.put(mapping.key().gateway(), binding);
                reached(ChangeStep.WRITTEN);
            } catch (RuntimeException e) {
                undo.accept(e);
                abandon(batch, e);
                return result;
            }
            batch.onSuccess.add(() -> result.set(mapping));
            batch.onFailure.add(undo);
        }
        commitPending();
        return result;
    }

    /**
     * Gives up the open batch after a change failed while writing into its transaction: the transaction may hold
     * part of that change, so none of the batch's changes can be committed, and each is undone as if the commit had
     * failed. Called with the lock held, for the pending batch.
     */
    private void abandon(final Batch batch, final Throwable cause) {
        if (pending == batch) {
            pending = null;
        }
        batch.tx.cancel();
        for (int i = batch.onFailure.size() - 1; i >= 0; i--) {
            batch.onFailure.get(i).accept(cause);
        }
    }

    /**
     * Makes every later change fail at this step, or none (null): for tests that check that a failure anywhere
     * between the index and the commit leaves the index as the datastore is.
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
     * The batch collecting changes now. Called with the lock held.
     */
    private Batch batch() {
        if (pending == null) {
            WriteTransaction tx;
            try {
                tx = chain.newWriteOnlyTransaction();
            } catch (IllegalStateException e) {
                // the chain failed and its replacement has not been made yet
                LOG.debug("Transaction chain unusable, starting a new one", e);
                chain = newChain();
                tx = chain.newWriteOnlyTransaction();
            }
            pending = new Batch(tx);
        }
        return pending;
    }

    /**
     * Submits the pending batch unless a commit is in flight: that one's completion submits it. So at low load every
     * change is committed at once, and at high load the changes arriving during one commit share the next.
     */
    // The binding and datastore APIs report their problems as assorted unchecked exceptions: each becomes the
    // caller's failed future, with the index undone, and none escapes.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void commitPending() {
        final Batch batch;
        ListenableFuture<? extends CommitInfo> commit;
        synchronized (this) {
            if (committing || pending == null) {
                return;
            }
            batch = pending;
            pending = null;
            committing = true;
            // submitted under the lock: the chain refuses a new transaction while the previous one is open
            try {
                reached(ChangeStep.SUBMITTED);
                commit = batch.tx.commit();
            } catch (RuntimeException e) {
                // the changes of this batch are not stored: the callback below undoes each of them
                batch.tx.cancel();
                commit = Futures.immediateFailedFuture(e);
            }
        }
        whenCommitted(batch, commit);
    }

    private void whenCommitted(final Batch batch, final ListenableFuture<? extends CommitInfo> commit) {
        Futures.addCallback(commit, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo info) {
                synchronized (DatastoreMappingStore.this) {
                    committing = false;
                }
                batch.onSuccess.forEach(Runnable::run);
                commitPending();
            }

            @Override
            public void onFailure(final Throwable cause) {
                synchronized (DatastoreMappingStore.this) {
                    committing = false;
                    // undo in reverse order, so that several changes of one key end where they started
                    for (int i = batch.onFailure.size() - 1; i >= 0; i--) {
                        batch.onFailure.get(i).accept(cause);
                    }
                }
                commitPending();
            }
        }, MoreExecutors.directExecutor());
    }

    @Override
    public ListenableFuture<Optional<Mapping>> remove(final MappingKey key) {
        return remove(key, null);
    }

    // The binding and datastore APIs report their problems as assorted unchecked exceptions: each becomes the
    // caller's failed future, with the index undone, and none escapes.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private ListenableFuture<Optional<Mapping>> remove(final MappingKey key, final @Nullable Mapping expected) {
        final var result = SettableFuture.<Optional<Mapping>>create();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            if (expected != null && !table.get(key).equals(Optional.of(expected))) {
                return Futures.immediateFuture(Optional.empty());
            }
            if (table.get(key).isEmpty()) {
                return Futures.immediateFuture(Optional.empty());
            }
            final Batch batch;
            try {
                batch = batch();
            } catch (RuntimeException e) {
                return Futures.immediateFailedFuture(e);
            }
            final var removed = requireNonNull(table.remove(key));
            final var restore = restore(List.of(removed), result);
            try {
                reached(ChangeStep.INDEXED);
            } catch (RuntimeException e) {
                restore.accept(e);
                return result;
            }
            try {
                batch.tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.path(key));
                reached(ChangeStep.WRITTEN);
            } catch (RuntimeException e) {
                restore.accept(e);
                abandon(batch, e);
                return result;
            }
            batch.onSuccess.add(() -> result.set(Optional.of(removed)));
            batch.onFailure.add(restore);
        }
        commitPending();
        return result;
    }

    @Override
    public ListenableFuture<Optional<Mapping>> removeIfUnchanged(final Mapping expected) {
        return remove(expected.key(), expected);
    }

    @Override
    public ListenableFuture<List<Mapping>> clear(final String gateway, final @Nullable Origin origin) {
        return removeMappings(gateway, origin, false);
    }

    @Override
    public ListenableFuture<List<Mapping>> removeGateway(final String gateway) {
        return removeMappings(gateway, null, true);
    }

    // The binding and datastore APIs report their problems as assorted unchecked exceptions: each becomes the
    // caller's failed future, with the index undone, and none escapes.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private ListenableFuture<List<Mapping>> removeMappings(final String gateway, final @Nullable Origin origin,
            final boolean forget) {
        final var result = SettableFuture.<List<Mapping>>create();
        synchronized (this) {
            if (closed) {
                return Futures.immediateFailedFuture(new IllegalStateException("Mapping store is closed"));
            }
            final Batch batch;
            try {
                batch = batch();
            } catch (RuntimeException e) {
                return Futures.immediateFailedFuture(e);
            }
            final var removed = new ArrayList<Mapping>();
            final var forgotten = epochs.get(gateway);
            try {
                for (var mapping : table.mappings(gateway)) {
                    if (origin == null || mapping.origin() == origin) {
                        table.remove(mapping.key());
                        removed.add(mapping);
                        reached(ChangeStep.INDEXED);
                        batch.tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.path(mapping.key()));
                        reached(ChangeStep.WRITTEN);
                    }
                }
                if (forget) {
                    // The whole gateway entry goes, epoch included: a gateway configured again later starts a new
                    // epoch, as its clients' state is lost (RFC 6887 section 8.5).
                    epochs.remove(gateway);
                    batch.deleteGateway(gateway);
                }
            } catch (RuntimeException e) {
                // the transaction may hold some of the deletes
                if (forgotten != null) {
                    epochs.put(gateway, forgotten);
                }
                restore(removed, result).accept(e);
                abandon(batch, e);
                return result;
            }
            final var copy = List.copyOf(removed);
            batch.onSuccess.add(() -> result.set(copy));
            batch.onFailure.add(restore(copy, result));
        }
        commitPending();
        return result;
    }

    // A failed delete leaves the mappings in the datastore, so they go back into the index too. Runs locked.
    private Consumer<Throwable> restore(final List<Mapping> removed, final SettableFuture<?> result) {
        return cause -> {
            LOG.warn("Removing {} mappings failed, keeping them", removed.size(), cause);
            for (var mapping : removed) {
                if (table.get(mapping.key()).isEmpty()) {
                    index(mapping);
                }
            }
            result.setException(cause);
        };
    }

    @Override
    @SuppressWarnings("checkstyle:IllegalCatch")
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
            final var origin = clock.instant();
            final var epoch = new EpochBuilder().setOrigin(BindingMappings.dateAndTime(origin));
            if (externalAddress != null) {
                epoch.setExternalAddress(BindingMappings.address(externalAddress));
            }
            final Batch batch;
            try {
                batch = batch();
            } catch (RuntimeException e) {
                return Futures.immediateFailedFuture(e);
            }
            final Consumer<Throwable> restore = cause -> {
                if (stored != null) {
                    epochs.put(gateway, stored);
                } else {
                    epochs.remove(gateway);
                }
                result.setException(cause);
            };
            epochs.put(gateway, new StoredEpoch(origin, externalAddress));
            try {
                batch.tx.mergeParentStructurePut(LogicalDatastoreType.CONFIGURATION,
                    BindingMappings.gatewayPath(gateway).toBuilder().child(Epoch.class).build(), epoch.build());
            } catch (RuntimeException e) {
                restore.accept(e);
                abandon(batch, e);
                return result;
            }
            batch.onSuccess.add(() -> result.set(origin));
            batch.onFailure.add(restore);
        }
        commitPending();
        return result;
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
                removeIfUnchanged(mapping);
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

    @Override
    @Deactivate
    public void close() {
        final Registration toClose;
        final Batch last;
        final ListenableFuture<? extends CommitInfo> lastCommit;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = chain;
            last = pending;
            pending = null;
            lastCommit = last == null ? null : last.tx.commit();
        }
        if (last != null) {
            // the callers of these changes wait for them: submit what was asked before closing
            whenCommitted(last, lastCommit);
        }
        timer.shutdownNow();
        toClose.close();
        LOG.info("Mapping store stopped");
    }
}
