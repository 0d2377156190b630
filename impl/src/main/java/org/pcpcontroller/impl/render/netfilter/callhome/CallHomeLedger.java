/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jdt.annotation.Nullable;

/**
 * The bookkeeping of call home, without I/O: which gateway a host key identifies, who waits for a gateway's next
 * session, which connection serves a gateway and which is held for it, and what happens when a gateway calls again.
 * Connections ({@code C}) and requests ({@code W}) are opaque here; the server carries out the {@link Action}s each
 * method returns, after the method, outside the ledger's lock.
 *
 * <p>A gateway calling again while its session is handed out is the case to get right. Its relay dials again only
 * when its own end of the connection is gone, so the session we hold is likely dead, but not certainly: a second
 * relay (a misconfiguration, or a cloned key) calls while the first is fine. A session that carries edits must not
 * be dropped for a newcomer on a guess, so the newcomer is held and the session is asked for a sign of life: if it
 * answers, it stays and the newcomer is closed; if it does not, it is closed and the newcomer takes its place.
 * A newcomer replaces a held (never handed out) connection of the same gateway at once.
 *
 * @param <C> a connection
 * @param <W> a request for a gateway's next session
 */
final class CallHomeLedger<C, W> {
    /**
     * What the server does after a ledger method.
     */
    sealed interface Action<C, W> {
        /** Give the connection's session to the request. */
        record HandOver<C, W>(W request, C connection) implements Action<C, W> {
        }

        /** Fail the request. */
        record Fail<C, W>(W request, String reason) implements Action<C, W> {
        }

        /** Close the connection. */
        record Close<C, W>(C connection, String reason) implements Action<C, W> {
        }

        /** Ask the connection for a sign of life, and report the answer with {@link CallHomeLedger#probed}. */
        record Probe<C, W>(C connection) implements Action<C, W> {
        }

        /** The connection is held for its gateway: report it with {@link CallHomeLedger#unclaimed} if nobody asks. */
        record Hold<C, W>(C connection) implements Action<C, W> {
        }
    }

    /**
     * Who a host key says a caller is.
     */
    sealed interface Identity {
        /** No registered gateway has this key: refuse the caller. */
        record Unknown() implements Identity {
        }

        /** The caller is this gateway: authenticate with these credentials. */
        record Known(String gateway, SshCredentials credentials) implements Identity {
            public Known {
                requireNonNull(gateway);
                requireNonNull(credentials);
            }
        }
    }

    /**
     * The outcome of {@link #register}.
     */
    sealed interface Registered<C, W> {
        /** Registered; the actions retire an earlier registration of the same gateway. */
        record Accepted<C, W>(Entry<C, W> entry, List<Action<C, W>> actions) implements Registered<C, W> {
        }

        /** The key identifies another gateway already. */
        record KeyInUse<C, W>(String gateway) implements Registered<C, W> {
        }
    }

    /**
     * One registration of a gateway; a newer registration of the same gateway replaces it.
     */
    static final class Entry<C, W> {
        private final String gateway;
        private final String hostKey;
        private final SshCredentials credentials;
        private @Nullable W request;
        /** The connection handed out, until it closes. */
        private @Nullable C live;
        /** A connection that is up and held for the next request. */
        private @Nullable C held;
        private boolean probing;

        Entry(final String gateway, final String hostKey, final SshCredentials credentials) {
            this.gateway = requireNonNull(gateway);
            this.hostKey = requireNonNull(hostKey);
            this.credentials = requireNonNull(credentials);
        }

        String gateway() {
            return gateway;
        }
    }

    private final Map<String, Entry<C, W>> byGateway = new HashMap<>();
    private final Map<String, Entry<C, W>> byHostKey = new HashMap<>();
    /** Identified connections on their way to a NETCONF session. */
    private final Map<C, Entry<C, W>> calling = new HashMap<>();
    /** Connections with a NETCONF session: live or held. */
    private final Map<C, Entry<C, W>> owners = new HashMap<>();

    private long accepted;
    private long refusedBusy;
    private long unknownHostKeys;
    private long failed;
    private long sessions;
    private long duplicatesRefused;
    private long deadReplaced;
    private long unclaimed;
    private @Nullable String lastUnknownHostKey;

    synchronized Registered<C, W> register(final String gateway, final String hostKey,
            final SshCredentials credentials) {
        final var holder = byHostKey.get(hostKey);
        if (holder != null && !holder.gateway.equals(gateway)) {
            return new Registered.KeyInUse<>(holder.gateway);
        }
        final var actions = new ArrayList<Action<C, W>>();
        final var previous = byGateway.get(gateway);
        if (previous != null) {
            retire(previous, "the registration of gateway " + gateway + " was replaced", actions);
        }
        final var entry = new Entry<C, W>(gateway, hostKey, credentials);
        byGateway.put(gateway, entry);
        byHostKey.put(hostKey, entry);
        return new Registered.Accepted<>(entry, actions);
    }

    synchronized List<Action<C, W>> unregister(final Entry<C, W> entry) {
        final var actions = new ArrayList<Action<C, W>>();
        if (current(entry)) {
            retire(entry, "gateway " + entry.gateway + " no longer calls home", actions);
        }
        return actions;
    }

    /** Whether no gateway is registered: nothing to listen for. */
    synchronized boolean isEmpty() {
        return byGateway.isEmpty();
    }

    /**
     * Who a caller is, by the SSH host key its key exchange proved it holds.
     *
     * @param from where it comes from, for the operator
     */
    synchronized Identity identify(final C connection, final String hostKey, final String from) {
        final var entry = byHostKey.get(hostKey);
        final var known = calling.get(connection);
        final var owner = owners.get(connection);
        // a key exchange again on a connection (rekeying) must present the key it started with
        if (entry == null || known != null && known != entry || owner != null && owner != entry) {
            unknownHostKeys++;
            lastUnknownHostKey = hostKey + " from " + from;
            return new Identity.Unknown();
        }
        if (known == null && owner == null) {
            calling.put(connection, entry);
        }
        return new Identity.Known(entry.gateway, entry.credentials);
    }

    /**
     * An identified connection failed before its NETCONF session was up (authentication, hello, time limit).
     */
    synchronized List<Action<C, W>> failed(final C connection, final String reason) {
        final var entry = calling.remove(connection);
        if (entry == null) {
            return List.of();
        }
        failed++;
        final var actions = new ArrayList<Action<C, W>>();
        // the owner learns why its gateway cannot get a session; the gateway's relay calls again anyway
        if (current(entry) && entry.request != null) {
            actions.add(new Action.Fail<>(entry.request, reason));
            entry.request = null;
        }
        return actions;
    }

    /**
     * A connection's NETCONF session is up.
     */
    synchronized List<Action<C, W>> up(final C connection) {
        final var entry = calling.remove(connection);
        final var actions = new ArrayList<Action<C, W>>();
        if (entry == null || !current(entry)) {
            actions.add(new Action.Close<>(connection, entry == null ? "not identified"
                : "gateway " + entry.gateway + " no longer calls home"));
            return actions;
        }
        owners.put(connection, entry);
        if (entry.live != null) {
            hold(entry, connection, actions);
            if (!entry.probing) {
                entry.probing = true;
                actions.add(new Action.Probe<>(entry.live));
            }
        } else if (entry.request != null) {
            handOver(entry, entry.request, connection, actions);
        } else {
            hold(entry, connection, actions);
        }
        return actions;
    }

    /**
     * The answer to a {@link Action.Probe}: whether the connection showed a sign of life in time.
     */
    synchronized List<Action<C, W>> probed(final C connection, final boolean alive) {
        final var entry = owners.get(connection);
        final var actions = new ArrayList<Action<C, W>>();
        if (entry == null || entry.live != connection) {
            // closed meanwhile; closed() took care of the held one
            return actions;
        }
        entry.probing = false;
        final var newcomer = entry.held;
        if (newcomer == null) {
            return actions;
        }
        if (alive) {
            duplicatesRefused++;
            entry.held = null;
            owners.remove(newcomer);
            actions.add(new Action.Close<>(newcomer, "gateway " + entry.gateway
                + " called again while its session is alive; keeping that one"));
        } else {
            deadReplaced++;
            entry.live = null;
            owners.remove(connection);
            actions.add(new Action.Close<>(connection, "gateway " + entry.gateway
                + " called again and this session gave no sign of life"));
            if (entry.request != null) {
                entry.held = null;
                handOver(entry, entry.request, newcomer, actions);
            }
        }
        return actions;
    }

    /**
     * A connection with a NETCONF session closed.
     */
    synchronized List<Action<C, W>> closed(final C connection) {
        final var entry = owners.remove(connection);
        final var actions = new ArrayList<Action<C, W>>();
        if (entry == null) {
            calling.remove(connection);
            return actions;
        }
        if (entry.live == connection) {
            entry.live = null;
            entry.probing = false;
            final var newcomer = entry.held;
            if (newcomer != null && entry.request != null) {
                entry.held = null;
                handOver(entry, entry.request, newcomer, actions);
            }
        } else if (entry.held == connection) {
            entry.held = null;
        }
        return actions;
    }

    /**
     * The owner asks for the gateway's next session.
     */
    synchronized List<Action<C, W>> request(final Entry<C, W> entry, final W request) {
        final var actions = new ArrayList<Action<C, W>>();
        if (!current(entry)) {
            actions.add(new Action.Fail<>(request, "gateway " + entry.gateway + " is not registered for call home"));
            return actions;
        }
        if (entry.request != null) {
            actions.add(new Action.Fail<>(entry.request, "replaced by a newer request"));
        }
        final var newcomer = entry.held;
        if (newcomer != null && entry.live == null) {
            entry.held = null;
            handOver(entry, request, newcomer, actions);
        } else {
            entry.request = request;
        }
        return actions;
    }

    /**
     * The owner no longer waits (cancelled its future).
     */
    synchronized void withdraw(final Entry<C, W> entry, final W request) {
        if (entry.request == request) {
            entry.request = null;
        }
    }

    /**
     * A held connection's time is up.
     */
    synchronized List<Action<C, W>> unclaimed(final C connection) {
        final var entry = owners.get(connection);
        if (entry == null || entry.held != connection) {
            return List.of();
        }
        unclaimed++;
        entry.held = null;
        owners.remove(connection);
        return List.of(new Action.Close<>(connection, "nobody asked for gateway " + entry.gateway
            + "'s session in time"));
    }

    /**
     * Fails every pending request: the listener cannot listen.
     */
    synchronized List<Action<C, W>> failRequests(final String reason) {
        final var actions = new ArrayList<Action<C, W>>();
        for (var entry : byGateway.values()) {
            if (entry.request != null) {
                actions.add(new Action.Fail<>(entry.request, reason));
                entry.request = null;
            }
        }
        return actions;
    }

    synchronized void countAccepted() {
        accepted++;
    }

    synchronized void countRefusedBusy() {
        refusedBusy++;
    }

    synchronized CallHomeCounters counters() {
        return new CallHomeCounters(accepted, refusedBusy, unknownHostKeys, failed, sessions, duplicatesRefused,
            deadReplaced, unclaimed, lastUnknownHostKey);
    }

    private boolean current(final Entry<C, W> entry) {
        return byGateway.get(entry.gateway) == entry;
    }

    private void hold(final Entry<C, W> entry, final C connection, final List<Action<C, W>> actions) {
        final var older = entry.held;
        if (older != null) {
            owners.remove(older);
            actions.add(new Action.Close<>(older, "gateway " + entry.gateway + " called again"));
        }
        entry.held = connection;
        actions.add(new Action.Hold<>(connection));
    }

    private void handOver(final Entry<C, W> entry, final W request, final C connection,
            final List<Action<C, W>> actions) {
        sessions++;
        entry.request = null;
        entry.live = connection;
        actions.add(new Action.HandOver<>(request, connection));
    }

    // The live connection stays with its owner, which closes it; closed() still finds it through owners.
    private void retire(final Entry<C, W> entry, final String reason, final List<Action<C, W>> actions) {
        byGateway.remove(entry.gateway);
        byHostKey.remove(entry.hostKey, entry);
        if (entry.request != null) {
            actions.add(new Action.Fail<>(entry.request, reason));
            entry.request = null;
        }
        final var held = entry.held;
        if (held != null) {
            owners.remove(held);
            entry.held = null;
            actions.add(new Action.Close<>(held, reason));
        }
    }
}
