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
import com.google.common.util.concurrent.SettableFuture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.netconf.client.NetconfClientFactory;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.gateway.RenderSummary;
import org.pcpcontroller.impl.render.RenderOutcome;
import org.pcpcontroller.impl.render.netfilter.NetfilterXml.OwnerChange;
import org.pcpcontroller.impl.render.netfilter.NetfilterXml.RpcError;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;

/**
 * One gateway as the netfilter renderer drives it: the thin shell between its {@link RuleLedger} (what the rules
 * should be, what the gateway holds, what to send) and its {@link NetconfTransport}. On every session it takes the
 * target datastore's lock, reads the gateway, checks {@code /netfilter/owner}, and sends the difference in edits
 * (each followed by a commit with a candidate), then unlocks; changes later go out the same way, whatever changed
 * while one edit was in flight going together in the next. It publishes the session state, each mapping's render
 * status and the gateway's render summary.
 *
 * <p>Everything runs on a sequential executor over the renderer's shared pool, so a fleet needs no thread per gateway,
 * and nothing here waits: a gateway that does not answer costs its own timers only.
 */
final class GatewaySession implements AutoCloseable {
    /**
     * What a session to a gateway needs, secrets decrypted.
     *
     * @param endpoint where and as whom, or null when the stored secrets cannot be used
     * @param unusable why the stored secrets cannot be used, when endpoint is null
     * @param pinnedHostKey the pinned host key, or null for trust on first use
     * @param trustedHostKey with trust on first use, the key recorded in the configuration, or null
     * @param renderDscp whether FLOW_PRIORITY renders as DSCP rules
     * @param keepRulesOnRemoval whether the rules stay on the gateway when the controller stops managing it
     */
    record Settings(NetconfTransport.@Nullable Endpoint endpoint, @Nullable String unusable,
            @Nullable String pinnedHostKey, @Nullable String trustedHostKey, long keepaliveMillis,
            long reconcileMillis, boolean renderDscp, boolean keepRulesOnRemoval) {
        Settings {
            if ((endpoint == null) == (unusable == null)) {
                throw new IllegalArgumentException("an endpoint, or why there is none");
            }
        }

        /** These settings with another recorded host key. */
        Settings withTrustedHostKey(final @Nullable String key) {
            return new Settings(endpoint, unusable, pinnedHostKey, key, keepaliveMillis, reconcileMillis, renderDscp,
                keepRulesOnRemoval);
        }
    }

    /** Connection status, as in {@code pcp-gateway} {@code state/netconf/connection-status}. */
    enum Status {
        CONNECTING, CONNECTED, UNABLE_TO_CONNECT, HOST_KEY_MISMATCH, MODEL_MISSING, OWNER_CONFLICT,
        CREDENTIALS_UNREADABLE
    }

    /**
     * What the session reports in {@code state/netconf}.
     *
     * @param hostKey the host key accepted (or expected) for the gateway
     */
    record State(Status status, @Nullable String hostKey, @Nullable String lastError, @Nullable Instant connectedSince,
            @Nullable Instant lastReconcile, long editsSent, long editsFailed, long reconnects, long locksDenied) {
        static final State INITIAL = new State(Status.CONNECTING, null, null, null, null, 0, 0, 0, 0);

        State with(final Status newStatus, final @Nullable String error) {
            return new State(newStatus, hostKey, error, newStatus == Status.CONNECTED ? connectedSince : null,
                lastReconcile, editsSent, editsFailed, reconnects, locksDenied);
        }

        State withError(final @Nullable String error) {
            return new State(status, hostKey, error, connectedSince, lastReconcile, editsSent, editsFailed, reconnects,
                locksDenied);
        }

        State withHostKey(final @Nullable String key) {
            return new State(status, key, lastError, connectedSince, lastReconcile, editsSent, editsFailed, reconnects,
                locksDenied);
        }

        State reconciled(final Instant now) {
            return new State(Status.CONNECTED, hostKey, null, connectedSince != null ? connectedSince : now, now,
                editsSent, editsFailed, reconnects, locksDenied);
        }

        State editSent() {
            return new State(status, hostKey, lastError, connectedSince, lastReconcile, editsSent + 1, editsFailed,
                reconnects, locksDenied);
        }

        State editFailed(final String error) {
            return new State(status, hostKey, error, connectedSince, lastReconcile, editsSent, editsFailed + 1,
                reconnects, locksDenied);
        }

        State reconnected() {
            return new State(status, hostKey, lastError, connectedSince, lastReconcile, editsSent, editsFailed,
                reconnects + 1, locksDenied);
        }

        State lockDenied(final String error) {
            return new State(status, hostKey, error, connectedSince, lastReconcile, editsSent, editsFailed, reconnects,
                locksDenied + 1);
        }
    }

    /**
     * Where a session reports to; called on its executor.
     */
    interface Reports {
        void state(State state);

        void summary(RenderSummary summary);

        void statuses(List<RuleLedger.StatusChange> changes);

        /** A key was trusted on first use: record it, if the configuration still asks for trust on first use. */
        void trusted(NetconfTransport.Endpoint endpoint, String hostKey);
    }

    /**
     * The owner mark of the controller entry that drives a gateway ({@code /netfilter/owner}).
     */
    interface Owner {
        /** What this entry writes. */
        String identity();

        /** Whether a mark read from the gateway is this entry's (now or under an earlier controller id). */
        boolean ours(String mark);
    }

    /**
     * What every session shares.
     */
    record Shared(NetconfClientFactory clientFactory, CallHome callHome, ConnectSlots connectSlots,
            ScheduledExecutorService scheduler, Executor pool, NetconfTransport.Timeouts timeouts) {
        Shared {
            requireNonNull(clientFactory);
            requireNonNull(callHome);
            requireNonNull(connectSlots);
            requireNonNull(scheduler);
            requireNonNull(pool);
            requireNonNull(timeouts);
        }
    }

    private record Waiter(Mapping mapping, List<Rule> rules, SettableFuture<RenderOutcome> future) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);
    /** An RPC that gets no reply in this time (plus RULE_MILLIS per rule involved) means the session is broken. */
    private static final long RPC_TIMEOUT_MILLIS = 30_000;
    /** Small NETCONF servers take time per rule: netconfd needs about 1 s per 5,000 rules held for a commit. */
    private static final long RULE_MILLIS = 5;
    private static final long MIN_RETRY_MILLIS = 1_000;
    private static final long MAX_RETRY_MILLIS = 60_000;
    /**
     * Error tags (RFC 6241 appendix A) that say the gateway or the session refused, not the rules: the edit is sent
     * again later as it is. Any other tag means the content was refused: the edit is split to find the mapping.
     */
    private static final Set<String> NOT_ABOUT_THE_RULES = Set.of("access-denied", "lock-denied", "in-use",
        "resource-denied", "rollback-failed", "operation-not-supported", "too-big", "malformed-message");

    private final String gateway;
    private volatile Settings settings;
    private final Shared shared;
    private final Reports reports;
    private final Owner owner;
    private final Executor serial;
    private final boolean retiring;
    private final @Nullable Runnable onRetired;
    private final @Nullable NetconfTransport transport;
    private final @Nullable HostKeyTrust hostKeys;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    // Confined to the serial executor.
    private final RuleLedger ledger;
    private final Map<MappingKey, List<Waiter>> waiters = new HashMap<>();
    private NetconfTransport.@Nullable Channel channel;
    /** A lock-read-edit-unlock sequence is under way: nothing else is sent meanwhile. */
    private boolean busy;
    /** The gateway was read on this session, and the difference sent. */
    private boolean synced;
    private boolean syncWanted;
    private boolean forgiveOnSync;
    private boolean everUp;
    /** The next edit writes the owner mark (or removes it, when retiring). */
    private OwnerChange ownerChange = OwnerChange.KEEP;
    private @Nullable String foreignOwner;
    private long retryMillis = MIN_RETRY_MILLIS;
    private @Nullable ScheduledFuture<?> retry;
    private long lastActivity = System.nanoTime();
    private boolean closed;
    private State state = State.INITIAL;
    private @Nullable State published;
    private @Nullable RenderSummary publishedSummary;

    /**
     * A session that renders the gateway's mappings.
     *
     * @param learnedHostKey a key a previous session of the same endpoint trusted on first use and had not recorded
     *        yet, or null
     */
    GatewaySession(final String gateway, final Settings settings, final @Nullable String learnedHostKey,
            final Shared shared, final Owner owner, final Reports reports) {
        this(gateway, settings, shared, owner, reports, false, null, learnedHostKey);
    }

    private GatewaySession(final String gateway, final Settings settings, final Shared shared, final Owner owner,
            final Reports reports, final boolean retiring, final @Nullable Runnable onRetired,
            final @Nullable String learnedHostKey) {
        this.gateway = requireNonNull(gateway);
        this.settings = requireNonNull(settings);
        this.shared = requireNonNull(shared);
        this.owner = requireNonNull(owner);
        this.reports = requireNonNull(reports);
        this.retiring = retiring;
        this.onRetired = onRetired;
        serial = MoreExecutors.newSequentialExecutor(shared.pool());
        ledger = new RuleLedger(settings.renderDscp());
        final var endpoint = settings.endpoint();
        if (endpoint == null) {
            transport = null;
            hostKeys = null;
            final var why = requireNonNull(settings.unusable());
            state = state.with(Status.CREDENTIALS_UNREADABLE, why);
            serial.execute(() -> {
                ledger.block("the gateway's NETCONF credentials cannot be used: " + why);
                publish();
            });
            return;
        }
        hostKeys = new HostKeyTrust(settings.pinnedHostKey(), settings.trustedHostKey() != null
            ? settings.trustedHostKey() : learnedHostKey);
        transport = new NetconfTransport(gateway, endpoint, hostKeys, shared.clientFactory(), shared.callHome(),
            shared.connectSlots(), shared.scheduler(), serial, shared.timeouts(), new NetconfTransport.Listener() {
                @Override
                public void up(final NetconfTransport.Channel up) {
                    GatewaySession.this.up(up);
                }

                @Override
                public void down(final NetconfTransport.Failure failure) {
                    GatewaySession.this.down(failure);
                }
            });
        if (!retiring) {
            timers.add(shared.scheduler().scheduleWithFixedDelay(() -> serial.execute(this::keepalive),
                settings.keepaliveMillis(), settings.keepaliveMillis(), TimeUnit.MILLISECONDS));
            timers.add(shared.scheduler().scheduleWithFixedDelay(() -> serial.execute(() -> sync(true)),
                settings.reconcileMillis(), settings.reconcileMillis(), TimeUnit.MILLISECONDS));
            serial.execute(this::publish);
        }
        transport.start();
    }

    /**
     * A session that removes every rule and the owner mark from the gateway, then closes itself and runs
     * {@code onRetired}: the controller stops managing the gateway. It leaves alone a gateway whose owner mark is
     * another entry's. It tries until it succeeds or is closed.
     *
     * @param learnedHostKey a key the previous session trusted on first use and had not recorded yet, or null
     */
    static GatewaySession retire(final String gateway, final Settings settings, final @Nullable String learnedHostKey,
            final Shared shared, final Owner owner, final Runnable onRetired) {
        return new GatewaySession(gateway, settings, shared, owner, new Reports() {
            @Override
            public void state(final State state) {
                // the gateway's state is not published any more
            }

            @Override
            public void summary(final RenderSummary summary) {
                // nor its summary
            }

            @Override
            public void statuses(final List<RuleLedger.StatusChange> changes) {
                // it has no mappings
            }

            @Override
            public void trusted(final NetconfTransport.Endpoint endpoint, final String hostKey) {
                // not recorded for a gateway that goes
            }
        }, true, onRetired, learnedHostKey);
    }

    Settings settings() {
        return settings;
    }

    /**
     * Takes new settings without a new session, if they differ only by the recording of the host key this session
     * already trusts (the renderer recorded it).
     *
     * @return whether the session goes on with them; otherwise the caller replaces it
     */
    boolean adopt(final Settings newSettings) {
        if (settings.equals(newSettings)) {
            return true;
        }
        final var recorded = newSettings.trustedHostKey();
        if (recorded != null && settings.pinnedHostKey() == null && recorded.equals(trustedHostKey())
                && settings.withTrustedHostKey(null).equals(newSettings.withTrustedHostKey(null))) {
            settings = newSettings;
            return true;
        }
        return false;
    }

    /**
     * The key this session holds the gateway to now: pinned, recorded, or trusted on first use in this session.
     */
    @Nullable String trustedHostKey() {
        return hostKeys == null ? null : hostKeys.expected();
    }

    /**
     * A mapping changed in the store (null: it is gone).
     */
    void update(final MappingKey key, final @Nullable Mapping mapping) {
        serial.execute(() -> {
            if (closed) {
                return;
            }
            ledger.update(key, mapping);
            release(List.of(key));
            publish();
            write();
        });
    }

    /**
     * Completes once the gateway acknowledged the rules of this mapping as it is now, or with a failure when it
     * cannot: pcp-netfilter cannot express it, the gateway refused it, or cannot be written at all now. It does not
     * time out; a cancelled future is forgotten.
     */
    ListenableFuture<RenderOutcome> whenRendered(final Mapping mapping) {
        final var problem = NetfilterRules.problem(mapping);
        if (problem != null) {
            return Futures.immediateFuture(NetfilterRules.canMatchProtocol(mapping.key().protocol())
                ? new RenderOutcome.Failed("cannot be expressed in pcp-netfilter: " + problem)
                : new RenderOutcome.Unsupported(problem));
        }
        final var future = SettableFuture.<RenderOutcome>create();
        final var rules = NetfilterRules.render(mapping, settings.renderDscp());
        serial.execute(() -> {
            if (closed) {
                future.set(new RenderOutcome.Failed("the gateway's NETCONF session was closed"));
                return;
            }
            final var outcome = outcome(mapping, rules);
            if (outcome != null) {
                future.set(outcome);
                return;
            }
            final var waiter = new Waiter(mapping, rules, future);
            waiters.computeIfAbsent(mapping.key(), k -> new ArrayList<>()).add(waiter);
            // whoever waited gave up (the answer gate's timeout): forget the waiter
            future.addListener(() -> {
                if (future.isCancelled()) {
                    serial.execute(() -> {
                        final var list = waiters.get(mapping.key());
                        if (list != null && list.remove(waiter) && list.isEmpty()) {
                            waiters.remove(mapping.key());
                        }
                    });
                }
            }, MoreExecutors.directExecutor());
        });
        return future;
    }

    private @Nullable RenderOutcome outcome(final Mapping mapping, final List<Rule> rules) {
        if (ledger.holds(rules)) {
            return RenderOutcome.INSTALLED;
        }
        final var failure = ledger.failure(mapping);
        if (failure != null) {
            return new RenderOutcome.Failed(failure);
        }
        final var blocked = ledger.blocked();
        return blocked != null ? new RenderOutcome.Failed(blocked) : null;
    }

    // Completes the waiters of these mappings that can be answered now.
    private void release(final List<MappingKey> keys) {
        for (var key : keys) {
            final var list = waiters.get(key);
            if (list == null) {
                continue;
            }
            list.removeIf(waiter -> {
                final var outcome = outcome(waiter.mapping(), waiter.rules());
                if (outcome == null) {
                    return false;
                }
                waiter.future().set(outcome);
                return true;
            });
            if (list.isEmpty()) {
                waiters.remove(key);
            }
        }
    }

    private void releaseAll() {
        release(List.copyOf(waiters.keySet()));
    }

    // --- sessions ------------------------------------------------------------------------------------------------

    private void up(final NetconfTransport.Channel up) {
        if (closed) {
            up.drop("closed");
            return;
        }
        channel = up;
        if (everUp) {
            state = state.reconnected();
        }
        everUp = true;
        state = state.withHostKey(up.hostKey());
        if (requireNonNull(hostKeys).learn(up.hostKey())) {
            LOG.info("Gateway {}: host key {} trusted on first use", gateway, up.hostKey());
            reports.trusted(requireNonNull(settings.endpoint()), up.hostKey());
        }
        sync(false);
    }

    private void down(final NetconfTransport.Failure failure) {
        channel = null;
        busy = false;
        synced = false;
        syncWanted = false;
        ledger.lost();
        cancelRetry();
        final var status = switch (failure) {
            case NetconfTransport.Failure.Unreachable unreachable -> Status.UNABLE_TO_CONNECT;
            case NetconfTransport.Failure.HostKeyMismatch mismatch -> Status.HOST_KEY_MISMATCH;
            case NetconfTransport.Failure.ModelMissing missing -> Status.MODEL_MISSING;
        };
        state = state.with(status, failure.reason());
        if (failure instanceof NetconfTransport.Failure.HostKeyMismatch) {
            // the key the gateway is held to, not the one it presented (that is in last-error)
            state = state.withHostKey(requireNonNull(hostKeys).expected());
        }
        if (retiring) {
            return;
        }
        ledger.block("gateway unreachable: " + failure.reason());
        releaseAll();
        publish();
    }

    /**
     * Reads the gateway under the lock and sends the difference; on every session, and periodically.
     */
    private void sync(final boolean periodic) {
        if (closed || channel == null) {
            return;
        }
        if (periodic) {
            forgiveOnSync = true;
        }
        if (busy) {
            syncWanted = true;
            return;
        }
        syncWanted = false;
        busy = true;
        lockThen(this::read);
    }

    /** Sends what changed, if the gateway is synced and nothing else is under way. */
    private void write() {
        if (closed || channel == null || busy || !synced || foreignOwner != null || !ledger.hasWork()) {
            return;
        }
        busy = true;
        lockThen(() -> writeAll(this::idle));
    }

    // Whatever was asked for while busy.
    private void resume() {
        if (closed || channel == null || busy) {
            return;
        }
        if (!synced || syncWanted) {
            sync(false);
        } else {
            write();
        }
    }

    private void idle() {
        unlockThen(() -> {
            busy = false;
            publish();
            resume();
        });
    }

    private void lockThen(final Runnable next) {
        final var target = requireNonNull(channel).target();
        rpc(NetfilterXml.lock(target), 0, reply -> {
            final var errors = NetfilterXml.rpcErrors(reply);
            if (errors.isEmpty()) {
                next.run();
                return;
            }
            // another session holds the lock, or changed the candidate without one: its edit is not ours to drop
            busy = false;
            state = state.lockDenied("lock of " + target + " refused: " + errors);
            LOG.info("Gateway {}: lock of {} refused ({}); trying again in {} ms", gateway, target, errors,
                retryMillis);
            publish();
            retryLater();
        });
    }

    private void unlockThen(final Runnable next) {
        final var target = requireNonNull(channel).target();
        rpc(NetfilterXml.unlock(target), 0, reply -> {
            final var errors = NetfilterXml.rpcErrors(reply);
            if (!errors.isEmpty()) {
                LOG.warn("Gateway {}: unlock of {} refused: {}", gateway, target, errors);
            }
            next.run();
        });
    }

    private void read() {
        rpc(NetfilterXml.getConfig("running"), ledger.wantedCount(), reply -> {
            final var errors = NetfilterXml.rpcErrors(reply);
            if (!errors.isEmpty()) {
                requireNonNull(channel).drop("get-config refused: " + errors);
                return;
            }
            read(NetfilterXml.parseRules(reply), NetfilterXml.parseOwner(reply));
        });
    }

    private void read(final Map<String, @Nullable Rule> actual, final @Nullable String mark) {
        final var start = System.nanoTime();
        if (mark != null && !owner.ours(mark)) {
            foreignOwner = mark;
            final var why = "the gateway is written by " + mark + ", not " + owner.identity()
                + " (two gateway entries or controllers on one NETCONF server?); its rules are left alone";
            if (retiring) {
                LOG.warn("Gateway {}: not removing its rules: {}", gateway, why);
                unlockThen(this::retired);
                return;
            }
            LOG.warn("Gateway {}: {}", gateway, why);
            state = state.with(Status.OWNER_CONFLICT, why);
            ledger.block(why);
            releaseAll();
            unlockThen(() -> {
                busy = false;
                publish();
            });
            return;
        }
        foreignOwner = null;
        ledger.reconciled(actual);
        if (forgiveOnSync) {
            forgiveOnSync = false;
            ledger.forgive();
        }
        ledger.block(null);
        if (retiring) {
            ownerChange = mark != null ? new OwnerChange.Remove() : OwnerChange.KEEP;
            writeAll(() -> unlockThen(this::retired));
            return;
        }
        ownerChange = owner.identity().equals(mark) ? OwnerChange.KEEP : new OwnerChange.Write(owner.identity());
        writeAll(() -> {
            synced = true;
            state = state.reconciled(Instant.now());
            requireNonNull(transport).healthy();
            retryMillis = MIN_RETRY_MILLIS;
            LOG.info("Gateway {}: reconciled in {} ms ({} rules read, {} held now)", gateway,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), actual.size(), ledger.heldCount());
            releaseAll();
            idle();
        });
    }

    /** Sends edits until the ledger has nothing more, then runs {@code done}; the lock is held. */
    private void writeAll(final Runnable done) {
        final var batch = ledger.nextBatch();
        final var change = ownerChange;
        if (batch == null && change instanceof OwnerChange.Keep) {
            done.run();
            return;
        }
        final var target = requireNonNull(channel).target();
        final var edit = batch == null ? new NetfilterXml.Edit(target, change, List.of(), List.of(), List.of())
            : new NetfilterXml.Edit(target, change, batch.put(), batch.lease(), batch.remove());
        state = state.editSent();
        rpc(NetfilterXml.editConfig(edit), edit.size(), reply -> {
            final var errors = NetfilterXml.rpcErrors(reply);
            if (!errors.isEmpty()) {
                refused("edit-config", errors, batch != null, done);
            } else if (!requireNonNull(channel).candidate()) {
                applied(batch != null, done);
            } else {
                rpc(NetfilterXml.commit(), edit.size(), commitReply -> {
                    final var commitErrors = NetfilterXml.rpcErrors(commitReply);
                    if (commitErrors.isEmpty()) {
                        applied(batch != null, done);
                    } else {
                        refused("commit", commitErrors, batch != null, done);
                    }
                });
            }
        });
    }

    private void applied(final boolean batch, final Runnable done) {
        ownerChange = OwnerChange.KEEP;
        if (batch) {
            release(ledger.acknowledged());
            publish();
        }
        writeAll(done);
    }

    private void refused(final String what, final List<RpcError> errors, final boolean batch, final Runnable done) {
        final var reason = what + " refused: " + errors;
        LOG.warn("Gateway {}: {}", gateway, reason);
        state = state.editFailed(reason);
        final boolean aboutTheRules = errors.stream().noneMatch(error -> NOT_ABOUT_THE_RULES.contains(error.tag()));
        final Runnable next = () -> {
            if (batch) {
                release(ledger.refused(errors.toString(), aboutTheRules));
            }
            publish();
            if (batch && aboutTheRules) {
                // the edit was split, or its one mapping held back: go on with the rest
                writeAll(done);
                return;
            }
            unlockThen(() -> {
                busy = false;
                retryLater();
            });
        };
        if (requireNonNull(channel).candidate()) {
            // the lock is ours, so is everything in the candidate: drop the half-made edit, and nobody else's
            rpc(NetfilterXml.discardChanges(), 0, ignored -> next.run());
        } else {
            next.run();
        }
    }

    private void retryLater() {
        if (retry != null || closed) {
            return;
        }
        retry = shared.scheduler().schedule(() -> serial.execute(() -> {
            retry = null;
            resume();
        }), retryMillis, TimeUnit.MILLISECONDS);
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    }

    private void cancelRetry() {
        final var pending = retry;
        retry = null;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private void retired() {
        LOG.info("Gateway {}: its rules are removed, the controller no longer manages it", gateway);
        close();
        final var done = onRetired;
        if (done != null) {
            done.run();
        }
    }

    private void keepalive() {
        final var current = channel;
        if (current != null && !busy
                && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity) >= settings.keepaliveMillis()) {
            rpc(NetfilterXml.keepalive(), 0, reply -> { });
        }
    }

    /**
     * Sends an RPC on the current session; the callback runs on the serial executor with the reply, if the session is
     * still the same. A failed RPC drops the session, and {@link #down} follows.
     */
    private void rpc(final Document request, final int rules, final Consumer<Document> onReply) {
        final var current = requireNonNull(channel);
        lastActivity = System.nanoTime();
        final long timeout = RPC_TIMEOUT_MILLIS + RULE_MILLIS * (rules + ledger.heldCount());
        Futures.addCallback(current.rpc(request, timeout), new FutureCallback<Document>() {
            @Override
            public void onSuccess(final Document reply) {
                if (!closed && current.current() && channel == current) {
                    onReply.accept(reply);
                }
            }

            @Override
            public void onFailure(final Throwable cause) {
                // the transport drops the session and reports it down
            }
        }, serial);
    }

    private void publish() {
        if (retiring) {
            return;
        }
        final var changes = ledger.drainChanges();
        if (!changes.isEmpty()) {
            reports.statuses(changes);
        }
        final var summary = ledger.summary();
        if (!summary.equals(publishedSummary)) {
            publishedSummary = summary;
            reports.summary(summary);
        }
        if (!state.equals(published)) {
            published = state;
            reports.state(state);
        }
    }

    /**
     * Forgets the render status of every mapping this session reported on, in the operational datastore.
     *
     * @param gatewayGone whether the gateway itself is deleted (its mappings are gone), rather than only no longer
     *        rendered over NETCONF
     */
    void forgetStatuses(final boolean gatewayGone) {
        serial.execute(() -> {
            final var forgotten = ledger.forgetAll();
            reports.statuses(gatewayGone ? forgotten.stream()
                .map(change -> new RuleLedger.StatusChange(change.key(), null, null)).toList() : forgotten);
        });
    }

    @Override
    public void close() {
        timers.forEach(timer -> timer.cancel(false));
        serial.execute(() -> {
            if (closed) {
                return;
            }
            closed = true;
            cancelRetry();
            final var current = transport;
            if (current != null) {
                current.close();
            }
            channel = null;
            waiters.values().forEach(list -> list.forEach(waiter -> waiter.future().set(
                new RenderOutcome.Failed("the gateway's NETCONF session was closed"))));
            waiters.clear();
        });
    }
}
