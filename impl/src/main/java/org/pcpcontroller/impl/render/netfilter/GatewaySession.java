/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.netconf.api.NetconfTerminationReason;
import org.opendaylight.netconf.api.messages.NetconfMessage;
import org.opendaylight.netconf.client.NetconfClientFactory;
import org.opendaylight.netconf.client.NetconfClientSession;
import org.opendaylight.netconf.client.NetconfClientSessionListener;
import org.opendaylight.netconf.client.conf.NetconfClientConfiguration.NetconfClientProtocol;
import org.opendaylight.netconf.client.conf.NetconfClientConfigurationBuilder;
import org.opendaylight.netconf.shaded.sshd.client.ClientFactoryManager;
import org.opendaylight.netconf.shaded.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.opendaylight.netconf.shaded.sshd.client.session.ClientSession;
import org.opendaylight.netconf.shaded.sshd.common.NamedResource;
import org.opendaylight.netconf.shaded.sshd.common.config.keys.FilePasswordProvider;
import org.opendaylight.netconf.shaded.sshd.common.config.keys.KeyUtils;
import org.opendaylight.netconf.shaded.sshd.common.digest.BuiltinDigests;
import org.opendaylight.netconf.shaded.sshd.common.kex.KeyExchangeFactory;
import org.opendaylight.netconf.shaded.sshd.common.keyprovider.KeyIdentityProvider;
import org.opendaylight.netconf.shaded.sshd.common.util.security.SecurityUtils;
import org.opendaylight.netconf.transport.api.UnsupportedConfigurationException;
import org.opendaylight.netconf.transport.ssh.ClientFactoryManagerConfigurator;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.crypto.types.rev241010.password.grouping.password.type.CleartextPasswordBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.DomainName;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Host;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.netconf.client.rev240814.netconf.client.initiate.stack.grouping.transport.ssh.ssh.SshClientParametersBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.netconf.client.rev240814.netconf.client.initiate.stack.grouping.transport.ssh.ssh.TcpClientParametersBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.ssh.client.rev241010.ssh.client.grouping.ClientIdentityBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.ssh.client.rev241010.ssh.client.grouping.client.identity.PasswordBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.render.RenderOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;

/**
 * One gateway's NETCONF session and the rules it should hold. The desired rules follow the mapping store; the
 * session reconciles on every (re)connect (read the gateway's pcp-netfilter config, correct it to exactly the
 * desired rules) and then sends what changed in batches: whatever changes while one edit is in flight goes out
 * together in the next. Work runs on a sequential executor over a shared pool, so thousands of gateways need no
 * thread of their own; the NETCONF client itself is Netty-based.
 */
final class GatewaySession implements AutoCloseable {
    /**
     * Where and how to reach the gateway.
     *
     * @param pinnedHostKey the pinned SHA-256 host key fingerprint, or null for trust on first use
     */
    record Settings(String address, int port, String username, @Nullable String password,
            @Nullable String privateKey, @Nullable String passphrase, @Nullable String pinnedHostKey,
            long keepaliveMillis, long reconcileMillis, boolean renderDscp) {
        Settings {
            requireNonNull(address);
            requireNonNull(username);
            if ((password == null) == (privateKey == null)) {
                throw new IllegalArgumentException("a password or a private key, one of them");
            }
        }

        // never the secrets, should a settings object end up in a log
        @Override
        public String toString() {
            return username + "@" + address + ":" + port + (privateKey != null ? " (key)" : " (password)");
        }
    }

    /** Connection status, as in {@code pcp-gateway} {@code state/netconf/connection-status}. */
    enum Status {
        CONNECTING, CONNECTED, UNABLE_TO_CONNECT, HOST_KEY_MISMATCH, MODEL_MISSING
    }

    /** What the session reports to the operational datastore. */
    record State(Status status, @Nullable String hostKey, @Nullable String lastError, @Nullable Instant connectedSince,
            @Nullable Instant lastReconcile, long editsSent, long editsFailed, long reconnects) {
    }

    private record Waiter(List<Rule> rules, SettableFuture<RenderOutcome> future) {
    }

    /**
     * Matches replies to requests by message-id, and tells the session at once when the transport goes, so that a
     * gateway that restarts is reconnected and reconciled without waiting for a timeout.
     */
    private final class ReplyListener implements NetconfClientSessionListener {
        private final ConcurrentHashMap<String, CompletableFuture<Document>> pending = new ConcurrentHashMap<>();

        CompletableFuture<Document> send(final NetconfClientSession target, final Document request) {
            final var id = request.getDocumentElement().getAttribute("message-id");
            final var reply = new CompletableFuture<Document>();
            pending.put(id, reply);
            target.sendMessage(new NetconfMessage(request)).addListener(written -> {
                if (!written.isSuccess()) {
                    pending.remove(id);
                    reply.completeExceptionally(written.cause());
                }
            });
            return reply;
        }

        @Override
        public void onSessionUp(final NetconfClientSession upSession) {
            // the factory's future reports it
        }

        @Override
        public void onSessionDown(final NetconfClientSession downSession, final Exception cause) {
            gone(downSession, "session down: " + cause.getMessage());
        }

        @Override
        public void onSessionTerminated(final NetconfClientSession terminated,
                final NetconfTerminationReason reason) {
            gone(terminated, "session terminated: " + reason.getErrorMessage());
        }

        @Override
        public void onMessage(final NetconfClientSession from, final NetconfMessage message) {
            final var document = message.getDocument();
            final var reply = pending.remove(document.getDocumentElement().getAttribute("message-id"));
            if (reply != null) {
                reply.complete(document);
            }
            // anything else (a notification) is not asked for
        }

        @Override
        public void onError(final NetconfClientSession from, final Exception cause) {
            LOG.debug("Gateway {}: undecodable message", gateway, cause);
        }

        private void gone(final NetconfClientSession which, final String why) {
            final var failure = new IllegalStateException(why);
            pending.values().forEach(reply -> reply.completeExceptionally(failure));
            pending.clear();
            serial.execute(() -> {
                if (session == which) {
                    fail(why, Status.UNABLE_TO_CONNECT);
                }
            });
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    /** An RPC that gets no reply in this time (plus RULE_MILLIS per rule it carries) means the session is broken. */
    private static final long RPC_TIMEOUT_MILLIS = 30_000;
    /** Small NETCONF servers take time per rule: netconfd needs about 1 s per 5,000 rules held for a commit. */
    private static final long RULE_MILLIS = 5;
    /**
     * Rules per edit-config. netconfd refuses a message of a few megabytes ("resource denied") and drops the
     * session, so a reconcile of thousands of rules goes out in chunks; about 400 KB each.
     */
    static final int MAX_RULES_PER_EDIT = 1000;
    /** The key exchange the controller proposes first (draft-ietf-sshm-mlkem-hybrid-kex). */
    static final String PREFERRED_KEX = "mlkem768x25519-sha256";

    private final String gateway;
    private final Settings settings;
    private final NetconfClientFactory clientFactory;
    private final ConnectSlots connectSlots;
    private final ScheduledExecutorService scheduler;
    private final Executor serial;
    private final Consumer<State> stateSink;
    private final AtomicReference<@Nullable String> seenHostKey = new AtomicReference<>();
    private final AtomicReference<@Nullable String> trusted = new AtomicReference<>();

    // Confined to the serial executor.
    private final Map<MappingKey, List<String>> namesByMapping = new HashMap<>();
    private final TreeMap<String, Rule> desired = new TreeMap<>();
    /** What the gateway is known to hold (acknowledged edits, or read at reconcile). */
    private final HashMap<String, Rule> acked = new HashMap<>();
    private final TreeSet<String> dirty = new TreeSet<>();
    private final Map<MappingKey, List<Waiter>> waiters = new HashMap<>();
    private @Nullable NetconfClientSession session;
    private @Nullable ReplyListener listener;
    private boolean candidate;
    private boolean inFlight;
    private boolean closed;
    private long messageId;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    /** The connection attempt under way, or 0. */
    private long connecting;
    private long attempts;
    private long lastActivity = System.nanoTime();
    private @Nullable ScheduledFuture<?> retry;
    private final ScheduledFuture<?> keepalive;
    private final ScheduledFuture<?> periodicReconcile;
    private State state = new State(Status.CONNECTING, null, null, null, null, 0, 0, 0);

    GatewaySession(final String gateway, final Settings settings, final NetconfClientFactory clientFactory,
            final ConnectSlots connectSlots, final ScheduledExecutorService scheduler, final Executor pool,
            final Consumer<State> stateSink) {
        this.gateway = requireNonNull(gateway);
        this.settings = requireNonNull(settings);
        this.clientFactory = requireNonNull(clientFactory);
        this.connectSlots = requireNonNull(connectSlots);
        this.scheduler = requireNonNull(scheduler);
        serial = MoreExecutors.newSequentialExecutor(pool);
        this.stateSink = requireNonNull(stateSink);
        keepalive = scheduler.scheduleWithFixedDelay(() -> serial.execute(this::keepalive), settings.keepaliveMillis(),
            settings.keepaliveMillis(), TimeUnit.MILLISECONDS);
        periodicReconcile = scheduler.scheduleWithFixedDelay(() -> serial.execute(() -> {
            if (session != null && !inFlight && state.status == Status.CONNECTED) {
                reconcile();
            }
        }), settings.reconcileMillis(), settings.reconcileMillis(), TimeUnit.MILLISECONDS);
        serial.execute(this::connect);
    }

    Settings settings() {
        return settings;
    }

    /**
     * A mapping changed in the store (null: it is gone).
     */
    void update(final MappingKey key, final @Nullable Mapping mapping) {
        serial.execute(() -> {
            final boolean renderable = mapping != null && NetfilterRules.canRender(mapping);
            if (mapping != null && !renderable) {
                LOG.warn("Gateway {}: {} cannot be expressed in pcp-netfilter; not rendered", gateway, key);
            }
            final var rules = renderable ? NetfilterRules.render(mapping, settings.renderDscp()) : List.<Rule>of();
            final var previous = namesByMapping.remove(key);
            if (previous != null) {
                previous.forEach(name -> {
                    desired.remove(name);
                    dirty.add(name);
                });
            }
            if (!rules.isEmpty()) {
                final var names = new ArrayList<String>(rules.size());
                for (var rule : rules) {
                    final var name = rule.requireName().getValue();
                    desired.put(name, rule);
                    dirty.add(name);
                    names.add(name);
                }
                namesByMapping.put(key, names);
            }
            flush();
        });
    }

    /**
     * Completes once the gateway acknowledged the rules of this mapping as it is now, or at once with a failure when
     * pcp-netfilter cannot express the mapping. It does not time out; a cancelled future is forgotten.
     */
    ListenableFuture<RenderOutcome> awaitRendered(final Mapping mapping) {
        if (!NetfilterRules.canRender(mapping)) {
            return Futures.immediateFuture(new RenderOutcome.Failed(mapping.key() + " cannot be expressed in "
                + "pcp-netfilter"));
        }
        final var future = SettableFuture.<RenderOutcome>create();
        final var rules = NetfilterRules.render(mapping, settings.renderDscp());
        serial.execute(() -> {
            if (closed) {
                future.set(new RenderOutcome.Failed("the gateway's NETCONF session was closed"));
                return;
            }
            if (isAcked(rules)) {
                future.set(RenderOutcome.INSTALLED);
                return;
            }
            final var waiter = new Waiter(rules, future);
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

    private boolean isAcked(final List<Rule> rules) {
        return rules.stream().allMatch(rule -> rule.equals(acked.get(rule.requireName().getValue())));
    }

    private void releaseWaiters() {
        waiters.values().removeIf(list -> {
            list.removeIf(waiter -> {
                if (isAcked(waiter.rules)) {
                    waiter.future.set(RenderOutcome.INSTALLED);
                    return true;
                }
                return false;
            });
            return list.isEmpty();
        });
    }

    // --- connection -------------------------------------------------------------------------------------------

    private void connect() {
        if (closed) {
            return;
        }
        retry = null;
        setState(Status.CONNECTING, state.lastError);
        // the attempt starts (and its hello timeout runs) once a connection slot is free
        connectSlots.acquire(() -> serial.execute(this::attempt));
    }

    /** One connection attempt, holding a connection slot until it ends. */
    private void attempt() {
        if (closed) {
            connectSlots.release();
            return;
        }
        final var sessionListener = new ReplyListener();
        final var identity = new ClientIdentityBuilder().setUsername(settings.username());
        final List<KeyPair> keys;
        if (settings.privateKey() != null) {
            try {
                keys = ImmutableList.copyOf(SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(gateway),
                    new ByteArrayInputStream(settings.privateKey().getBytes(StandardCharsets.UTF_8)),
                    settings.passphrase() == null ? FilePasswordProvider.EMPTY
                        : FilePasswordProvider.of(settings.passphrase())));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                connectSlots.release();
                fail("the private key cannot be read: " + e.getMessage(), Status.UNABLE_TO_CONNECT);
                return;
            }
        } else {
            keys = List.of();
            identity.setPassword(new PasswordBuilder()
                .setPasswordType(new CleartextPasswordBuilder()
                    .setCleartextPassword(settings.password())
                    .build())
                .build());
        }
        final var configuration = NetconfClientConfigurationBuilder.create()
            .withName(gateway)
            .withProtocol(NetconfClientProtocol.SSH)
            .withConnectionTimeoutMillis(10_000)
            .withTcpParameters(new TcpClientParametersBuilder()
                .setRemoteAddress(host(settings.address()))
                .setRemotePort(new PortNumber(Uint16.valueOf(settings.port())))
                .build())
            .withSshParameters(new SshClientParametersBuilder()
                .setClientIdentity(identity.build())
                .build())
            .withSshConfigurator(new ClientFactoryManagerConfigurator() {
                @Override
                protected void configureClientFactoryManager(final ClientFactoryManager manager) {
                    manager.setServerKeyVerifier(GatewaySession.this::verifyHostKey);
                    manager.setKeyExchangeFactories(preferMlKem(manager.getKeyExchangeFactories()));
                    if (!keys.isEmpty()) {
                        manager.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(keys));
                        manager.setUserAuthFactories(List.of(
                            new UserAuthPublicKeyFactory(manager.getSignatureFactories())));
                    }
                }
            })
            .withSessionListener(sessionListener)
            .build();
        final com.google.common.util.concurrent.ListenableFuture<NetconfClientSession> future;
        try {
            future = clientFactory.createClient(configuration);
        } catch (UnsupportedConfigurationException e) {
            connectSlots.release();
            fail("unusable NETCONF settings: " + e.getMessage(), Status.UNABLE_TO_CONNECT);
            return;
        }
        // A server that accepts SSH but never says hello (a busy or hung netconfd) must not stall the retries.
        final long attempt = ++attempts;
        scheduler.schedule(() -> serial.execute(() -> {
            if (connecting == attempt) {
                endAttempt();
                future.cancel(true);
                fail("no NETCONF hello in " + RPC_TIMEOUT_MILLIS + " ms", Status.UNABLE_TO_CONNECT);
            }
        }), RPC_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        connecting = attempt;
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(final NetconfClientSession result) {
                serial.execute(() -> {
                    if (connecting != attempt) {
                        // given up on already
                        result.close();
                        return;
                    }
                    endAttempt();
                    connected(result, sessionListener);
                });
            }

            @Override
            public void onFailure(final Throwable cause) {
                serial.execute(() -> {
                    if (connecting != attempt) {
                        return;
                    }
                    endAttempt();
                    final var key = seenHostKey.get();
                    final boolean mismatch = key != null && !hostKeyAcceptable(key);
                    fail(mismatch ? "host key " + key + " is not the trusted one" : String.valueOf(cause.getMessage()),
                        mismatch ? Status.HOST_KEY_MISMATCH : Status.UNABLE_TO_CONNECT);
                });
            }
        }, MoreExecutors.directExecutor());
    }

    /**
     * The client's key exchanges with {@value #PREFERRED_KEX} first, the others in their order. The SSH library's
     * default puts sntrup761x25519 first, a post-quantum hybrid too, but its pure-Java key generation and
     * decapsulation cost about 250 ms of CPU per connection here, against under 1 ms for ML-KEM-768: a fleet of
     * 1,000 gateways connecting at once spent minutes of controller CPU on key exchange alone. OpenSSH 10 prefers
     * the same; a server without ML-KEM (OpenSSH before 9.9) still gets sntrup761x25519 or curve25519.
     */
    static List<KeyExchangeFactory> preferMlKem(final List<KeyExchangeFactory> factories) {
        final var ordered = new ArrayList<KeyExchangeFactory>(factories.size());
        factories.stream().filter(factory -> PREFERRED_KEX.equals(factory.getName())).forEach(ordered::add);
        factories.stream().filter(factory -> !PREFERRED_KEX.equals(factory.getName())).forEach(ordered::add);
        return ordered;
    }

    private void endAttempt() {
        connecting = 0;
        connectSlots.release();
    }

    private static Host host(final String address) {
        return InetAddresses.isInetAddress(address)
            ? new Host(IetfInetUtil.ipAddressFor(InetAddresses.forString(address)))
            : new Host(new DomainName(address));
    }

    private boolean verifyHostKey(final ClientSession clientSession, final SocketAddress remote, final PublicKey key) {
        final var fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        seenHostKey.set(fingerprint);
        final boolean ok = hostKeyAcceptable(fingerprint);
        if (!ok) {
            LOG.warn("Gateway {}: refusing host key {} from {}", gateway, fingerprint, remote);
        }
        return ok;
    }

    // Called on SSH threads too: reads only the settings and the recorded key.
    private boolean hostKeyAcceptable(final String fingerprint) {
        final var pinned = settings.pinnedHostKey();
        if (pinned != null) {
            return pinned.equals(fingerprint);
        }
        // trust on first use: the first key this controller saw for the gateway, and no other
        final var recorded = trusted.get();
        return recorded == null ? trusted.compareAndSet(null, fingerprint) || fingerprint.equals(trusted.get())
            : recorded.equals(fingerprint);
    }

    /**
     * Carries the trusted key of a previous session object of the same gateway (settings changed) over.
     */
    void trust(final @Nullable String fingerprint) {
        if (fingerprint != null) {
            trusted.compareAndSet(null, fingerprint);
        }
    }

    @Nullable String trustedHostKey() {
        return trusted.get();
    }

    private void connected(final NetconfClientSession newSession, final ReplyListener sessionListener) {
        if (closed) {
            newSession.close();
            return;
        }
        final var capabilities = newSession.getServerCapabilities();
        if (capabilities.stream().noneMatch(capability -> capability.startsWith(NetfilterXml.NETFILTER))) {
            newSession.close();
            fail("the gateway does not advertise the pcp-netfilter module", Status.MODEL_MISSING);
            return;
        }
        session = newSession;
        listener = sessionListener;
        candidate = capabilities.contains(NetfilterXml.CANDIDATE);
        LOG.info("Gateway {}: NETCONF session up ({}, host key {})", gateway, candidate ? "candidate" : "running",
            seenHostKey.get());
        reconcile();
    }

    private void fail(final String error, final Status status) {
        LOG.warn("Gateway {}: {}; retrying in {} ms", gateway, error, backoffMillis);
        dropSession();
        setState(status, error);
        state = new State(state.status, state.hostKey, state.lastError, null, state.lastReconcile, state.editsSent,
            state.editsFailed, state.reconnects + 1);
        if (!closed && retry == null) {
            // half the backoff plus a random part of the other half: gateways that failed together (a controller
            // overloaded by a fleet connecting at once) do not all retry together
            retry = scheduler.schedule(() -> serial.execute(this::connect),
                backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1), TimeUnit.MILLISECONDS);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        }
    }

    // The session object may already be torn down by the transport; closing it again must not stop the retry.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void dropSession() {
        final var current = session;
        session = null;
        listener = null;
        inFlight = false;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.debug("Gateway {}: closing the session failed", gateway, e);
            }
        }
    }

    // --- RPCs ---------------------------------------------------------------------------------------------------

    /** Sends one RPC; the callback runs on the serial executor with the reply, or the session fails. */
    private void rpc(final Document request, final Consumer<Document> onReply) {
        rpc(request, 0, onReply);
    }

    private void rpc(final Document request, final int rules, final Consumer<Document> onReply) {
        final var current = listener;
        final var owner = session;
        if (current == null || owner == null) {
            return;
        }
        lastActivity = System.nanoTime();
        final long timeout = RPC_TIMEOUT_MILLIS + RULE_MILLIS * (rules + acked.size());
        current.send(owner, request).orTimeout(timeout, TimeUnit.MILLISECONDS)
            .whenComplete((reply, cause) -> serial.execute(() -> {
                if (session != owner) {
                    return;
                }
                if (cause == null) {
                    onReply.accept(reply);
                } else {
                    fail("NETCONF session failed: " + (cause instanceof TimeoutException
                        ? "no reply in " + timeout + " ms" : cause.getMessage()), Status.UNABLE_TO_CONNECT);
                }
            }));
    }

    private String target() {
        return candidate ? "candidate" : "running";
    }

    private void reconcile() {
        inFlight = true;
        rpc(NetfilterXml.getConfig(++messageId, "running"), desired.size(), reply -> {
            final var errors = NetfilterXml.errors(reply);
            if (!errors.isEmpty()) {
                fail("get-config refused: " + errors, Status.UNABLE_TO_CONNECT);
                return;
            }
            final var actual = NetfilterXml.parseRules(reply);
            final var diff = NetfilterRules.diff(desired, actual);
            final int stray = diff.delete().size();
            final int missing = diff.put().size();
            // what the gateway already holds as wanted is acknowledged as it is
            acked.clear();
            desired.forEach((name, rule) -> {
                if (!diff.put().containsKey(name)) {
                    acked.put(name, rule);
                }
            });
            // everything desired is in these edits or already there: nothing is dirty any more
            dirty.clear();
            final var start = System.nanoTime();
            editInChunks(List.copyOf(diff.put().values()), diff.delete(), () -> {
                backoffMillis = MIN_BACKOFF_MILLIS;
                final var now = Instant.now();
                state = new State(Status.CONNECTED, seenHostKey.get(), null,
                    state.connectedSince != null ? state.connectedSince : now, now, state.editsSent,
                    state.editsFailed, state.reconnects);
                stateSink.accept(state);
                LOG.info("Gateway {}: reconciled in {} ms ({} rules held, {} added or fixed, {} stray removed)",
                    gateway, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), desired.size(), missing,
                    stray);
            });
        });
    }

    /**
     * Sends a large change as consecutive edits of at most {@link #MAX_RULES_PER_EDIT} rules each.
     */
    private void editInChunks(final List<Rule> put, final List<String> delete, final Runnable onDone) {
        final int putCount = Math.min(put.size(), MAX_RULES_PER_EDIT);
        final int deleteCount = Math.min(delete.size(), MAX_RULES_PER_EDIT - putCount);
        final var chunkPut = put.subList(0, putCount);
        final var chunkDelete = delete.subList(0, deleteCount);
        final var restPut = put.subList(putCount, put.size());
        final var restDelete = delete.subList(deleteCount, delete.size());
        final boolean last = restPut.isEmpty() && restDelete.isEmpty();
        edit(chunkPut, chunkDelete, chunkPut, last ? onDone : () -> editInChunks(restPut, restDelete, onDone));
    }

    /**
     * Sends what changed since the last edit, if the session is up and no edit is in flight.
     */
    private void flush() {
        if (session == null || inFlight || dirty.isEmpty() || state.status != Status.CONNECTED) {
            return;
        }
        final var put = new ArrayList<Rule>();
        final var delete = new ArrayList<String>();
        // at most one edit's worth; the rest stays dirty and goes out when this one is acknowledged
        for (var it = dirty.iterator(); it.hasNext() && put.size() + delete.size() < MAX_RULES_PER_EDIT; ) {
            final var name = it.next();
            it.remove();
            final var rule = desired.get(name);
            if (rule == null) {
                delete.add(name);
            } else {
                put.add(rule);
            }
        }
        inFlight = true;
        final var known = new ArrayList<Rule>(put);
        edit(put, delete, known, () -> { });
    }

    /**
     * One edit-config (then commit, with a candidate) carrying the whole batch.
     *
     * @param nowHeld rules the gateway holds once the edit succeeds
     */
    private void edit(final java.util.Collection<Rule> put, final List<String> delete, final List<Rule> nowHeld,
            final Runnable onSuccess) {
        inFlight = true;
        if (put.isEmpty() && delete.isEmpty()) {
            acknowledged(delete, nowHeld, onSuccess);
            return;
        }
        state = new State(state.status, state.hostKey, state.lastError, state.connectedSince, state.lastReconcile,
            state.editsSent + 1, state.editsFailed, state.reconnects);
        final int size = put.size() + delete.size();
        rpc(NetfilterXml.editConfig(++messageId, target(), put, delete), size, reply -> {
            final var errors = NetfilterXml.errors(reply);
            if (!errors.isEmpty()) {
                refused("edit-config", errors, put);
                return;
            }
            if (!candidate) {
                acknowledged(delete, nowHeld, onSuccess);
                return;
            }
            rpc(NetfilterXml.commit(++messageId), size, commitReply -> {
                final var commitErrors = NetfilterXml.errors(commitReply);
                if (commitErrors.isEmpty()) {
                    acknowledged(delete, nowHeld, onSuccess);
                } else {
                    refused("commit", commitErrors, put);
                }
            });
        });
    }

    private void acknowledged(final List<String> deleted, final List<Rule> held, final Runnable onSuccess) {
        deleted.forEach(acked::remove);
        held.forEach(rule -> acked.put(rule.requireName().getValue(), rule));
        inFlight = false;
        onSuccess.run();
        releaseWaiters();
        flush();
    }

    private void refused(final String what, final List<String> errors, final java.util.Collection<Rule> put) {
        LOG.warn("Gateway {}: {} refused: {}", gateway, what, errors);
        state = new State(state.status, state.hostKey, what + " refused: " + errors, state.connectedSince,
            state.lastReconcile, state.editsSent, state.editsFailed + 1, state.reconnects);
        stateSink.accept(state);
        if (candidate) {
            // drop the half-made batch from the candidate, so that the next edit starts clean
            rpc(NetfilterXml.discardChanges(++messageId), ignored -> { });
        }
        // The batch is not retried as is (it would be refused again): the gateway is read and corrected instead.
        put.forEach(rule -> acked.remove(rule.requireName().getValue()));
        inFlight = false;
        scheduler.schedule(() -> serial.execute(() -> {
            if (session != null && !inFlight) {
                reconcile();
            }
        }), backoffMillis, TimeUnit.MILLISECONDS);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    private void keepalive() {
        if (session == null || inFlight) {
            stateSink.accept(state);
            return;
        }
        if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity) >= settings.keepaliveMillis()) {
            rpc(NetfilterXml.keepalive(++messageId), reply -> { });
        }
        stateSink.accept(state);
    }

    private void setState(final Status status, final @Nullable String error) {
        state = new State(status, seenHostKey.get(), error, status == Status.CONNECTED ? state.connectedSince : null,
            state.lastReconcile, state.editsSent, state.editsFailed, state.reconnects);
        stateSink.accept(state);
    }

    @Override
    public void close() {
        keepalive.cancel(false);
        periodicReconcile.cancel(false);
        serial.execute(() -> {
            closed = true;
            final var pending = retry;
            if (pending != null) {
                pending.cancel(false);
            }
            waiters.values().forEach(list -> list.forEach(waiter -> waiter.future.set(
                new RenderOutcome.Failed("the gateway's NETCONF session was closed"))));
            waiters.clear();
            dropSession();
        });
    }
}
