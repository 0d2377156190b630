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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
import org.opendaylight.yangtools.yang.common.Uint16;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHome;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeGateway;
import org.pcpcontroller.impl.render.netfilter.callhome.Registration;
import org.pcpcontroller.impl.render.netfilter.callhome.SshCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;

/**
 * The NETCONF client side of one gateway: SSH through ODL's netconf-client, the host key check, connection attempts
 * within the shared {@link ConnectSlots}, reconnects with backoff, and RPCs matched to their replies by message-id
 * with a timeout each. It knows nothing of rules; its owner hears of sessions coming up and going down, on the
 * executor it gave, and sends RPCs on the {@link Channel} it got.
 *
 * <p>Nothing here waits: connecting, sending and timing out are callbacks, so that a gateway that never answers (TCP
 * accepted, no SSH banner) costs a slot and a timer, never a thread of the shared pool.
 */
final class NetconfTransport implements AutoCloseable {
    /**
     * How the controller logs in.
     */
    sealed interface Secret {
        /** SSH password authentication. */
        record Password(String password) implements Secret {
            public Password {
                requireNonNull(password);
            }

            @Override
            public String toString() {
                return "password";
            }
        }

        /** SSH public-key authentication: a PEM or OpenSSH private key, and its passphrase if it has one. */
        record Key(String privateKey, @Nullable String passphrase) implements Secret {
            public Key {
                requireNonNull(privateKey);
            }

            @Override
            public String toString() {
                return "key";
            }
        }
    }

    /**
     * Where the gateway's NETCONF server is (or that the gateway calls home), and as whom to log in.
     */
    record Endpoint(GatewayView.Reach reach, String username, Secret secret) {
        Endpoint {
            requireNonNull(reach);
            requireNonNull(username);
            requireNonNull(secret);
        }

        // never the secrets, should an endpoint end up in a log
        @Override
        public String toString() {
            return username + "@" + switch (reach) {
                case GatewayView.Reach.DialOut dialOut -> dialOut.host() + ":" + dialOut.port();
                case GatewayView.Reach.CallHome callHome -> "call-home";
            } + " (" + secret + ")";
        }
    }

    /**
     * Why there is no session.
     */
    sealed interface Failure {
        String reason();

        /** The gateway cannot be reached, or the session broke. */
        record Unreachable(String reason) implements Failure {
            public Unreachable {
                requireNonNull(reason);
            }
        }

        /** The gateway presented another host key than the one it is held to. */
        record HostKeyMismatch(String presented, String expected, String reason) implements Failure {
            public HostKeyMismatch {
                requireNonNull(presented);
                requireNonNull(expected);
                requireNonNull(reason);
            }
        }

        /** The gateway does not advertise the pcp-netfilter module. */
        record ModelMissing(String reason) implements Failure {
            public ModelMissing {
                requireNonNull(reason);
            }
        }
    }

    /**
     * Told of sessions, on the owner's executor.
     */
    interface Listener {
        void up(Channel channel);

        /** The session is gone, or the attempt failed; the next attempt is scheduled (unless closed). */
        void down(Failure failure);
    }

    /**
     * The timeouts of connection attempts.
     *
     * @param connectMillis TCP connect
     * @param helloMillis from the start of the attempt to the NETCONF hello: a server that accepts TCP but never
     *        speaks (a hung netconfd) must not stall the retries
     */
    record Timeouts(long connectMillis, long helloMillis) {
        static final Timeouts DEFAULT = new Timeouts(10_000, 30_000);
    }

    /** The key exchange the controller proposes first (draft-ietf-sshm-mlkem-hybrid-kex). */
    static final String PREFERRED_KEX = "mlkem768x25519-sha256";
    private static final Logger LOG = LoggerFactory.getLogger(NetconfTransport.class);
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    /**
     * One NETCONF session, as its owner uses it. Replies of a session that is gone never reach its owner.
     */
    final class Channel {
        private final NetconfClientSession session;
        private final Replies replies;
        private final boolean candidate;
        private final String hostKey;

        Channel(final NetconfClientSession session, final Replies replies, final boolean candidate,
                final String hostKey) {
            this.session = session;
            this.replies = replies;
            this.candidate = candidate;
            this.hostKey = hostKey;
        }

        /** Whether the gateway has a candidate datastore (edit it, then commit). */
        boolean candidate() {
            return candidate;
        }

        /** The datastore edits go to. */
        String target() {
            return candidate ? "candidate" : "running";
        }

        String hostKey() {
            return hostKey;
        }

        /** Whether this is still the transport's session. */
        boolean current() {
            return channel == this;
        }

        /**
         * Sends an RPC; its message-id is given here. The future fails when no reply comes within the timeout or the
         * session goes; the session is then dropped, and the owner hears of that through {@link Listener#down}.
         */
        ListenableFuture<Document> rpc(final Document request, final long timeoutMillis) {
            final var id = Long.toString(messageIds.incrementAndGet());
            request.getDocumentElement().setAttribute("message-id", id);
            final var reply = Futures.withTimeout(replies.send(session, id, request), timeoutMillis,
                TimeUnit.MILLISECONDS, scheduler);
            Futures.addCallback(reply, new FutureCallback<Document>() {
                @Override
                public void onSuccess(final Document result) {
                    // the owner handles it
                }

                @Override
                public void onFailure(final Throwable cause) {
                    serial.execute(() -> NetconfTransport.this.drop(Channel.this, cause instanceof TimeoutException
                        ? "no reply in " + timeoutMillis + " ms" : "NETCONF session failed: " + cause.getMessage()));
                }
            }, MoreExecutors.directExecutor());
            return reply;
        }

        /** Drops the session (on the owner's executor); the owner hears of it through {@link Listener#down}. */
        void drop(final String reason) {
            NetconfTransport.this.drop(this, reason);
        }
    }

    /**
     * Matches replies to requests by message-id, and tells the transport at once when the session goes, so that a
     * gateway that restarts is reconnected and reconciled without waiting for a timeout.
     */
    private final class Replies implements NetconfClientSessionListener {
        private final ConcurrentHashMap<String, SettableFuture<Document>> pending = new ConcurrentHashMap<>();
        private volatile @Nullable String gone;

        ListenableFuture<Document> send(final NetconfClientSession target, final String id, final Document request) {
            final var reply = SettableFuture.<Document>create();
            final var why = gone;
            if (why != null) {
                reply.setException(new IllegalStateException(why));
                return reply;
            }
            pending.put(id, reply);
            // a reply that timed out or was cancelled is forgotten
            reply.addListener(() -> pending.remove(id, reply), MoreExecutors.directExecutor());
            target.sendMessage(new NetconfMessage(request)).addListener(written -> {
                if (!written.isSuccess()) {
                    reply.setException(written.cause());
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
                reply.set(document);
            }
            // anything else (a notification, a reply given up on) was not asked for
        }

        @Override
        public void onError(final NetconfClientSession from, final Exception cause) {
            LOG.debug("Gateway {}: undecodable message", gateway, cause);
        }

        private void gone(final NetconfClientSession which, final String why) {
            gone = why;
            final var failure = new IllegalStateException(why);
            pending.values().forEach(reply -> reply.setException(failure));
            pending.clear();
            serial.execute(() -> {
                final var current = channel;
                if (current != null && current.session == which) {
                    drop(current, why);
                }
            });
        }
    }

    private final String gateway;
    private final Endpoint endpoint;
    private final HostKeyTrust hostKeys;
    private final NetconfClientFactory clientFactory;
    private final CallHome callHome;
    private final ConnectSlots connectSlots;
    private final ScheduledExecutorService scheduler;
    private final Executor serial;
    private final Listener listener;
    private final Timeouts timeouts;
    private final AtomicLong messageIds = new AtomicLong();
    /** The host key presented in the attempt under way (checked on an SSH thread). */
    private final AtomicReference<HostKeyTrust.Verdict.@Nullable Refused> refusal = new AtomicReference<>();
    private final AtomicReference<@Nullable String> presented = new AtomicReference<>();

    // Confined to the serial executor.
    private @Nullable Channel channel;
    private boolean closed;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    /** The connection attempt under way, or 0. */
    private long connecting;
    private long attempts;
    private @Nullable ScheduledFuture<?> retry;
    /** A gateway that calls home: its registration with the listener, once registered. */
    private @Nullable CallHomeGateway called;
    /** A gateway that calls home: the request for its next session, while one is pending. */
    private @Nullable ListenableFuture<NetconfClientSession> call;

    /**
     * A transport; {@link #start()} makes the first attempt.
     *
     * @param serial the owner's sequential executor: every callback of the transport runs on it
     */
    NetconfTransport(final String gateway, final Endpoint endpoint, final HostKeyTrust hostKeys,
            final NetconfClientFactory clientFactory, final CallHome callHome, final ConnectSlots connectSlots,
            final ScheduledExecutorService scheduler, final Executor serial, final Timeouts timeouts,
            final Listener listener) {
        this.gateway = requireNonNull(gateway);
        this.endpoint = requireNonNull(endpoint);
        this.hostKeys = requireNonNull(hostKeys);
        this.clientFactory = requireNonNull(clientFactory);
        this.callHome = requireNonNull(callHome);
        this.connectSlots = requireNonNull(connectSlots);
        this.scheduler = requireNonNull(scheduler);
        this.serial = requireNonNull(serial);
        this.timeouts = requireNonNull(timeouts);
        this.listener = requireNonNull(listener);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    HostKeyTrust hostKeys() {
        return hostKeys;
    }

    /** Makes the first connection attempt; later ones follow by themselves. */
    void start() {
        serial.execute(this::connect);
    }

    /** The session proved useful (reconciled): the next loss retries after the shortest backoff again. */
    void healthy() {
        backoffMillis = MIN_BACKOFF_MILLIS;
    }

    @Override
    public void close() {
        serial.execute(() -> {
            closed = true;
            final var pending = retry;
            if (pending != null) {
                pending.cancel(false);
            }
            final var current = channel;
            channel = null;
            if (current != null) {
                closeQuietly(current.session);
            }
            final var waiting = call;
            call = null;
            if (waiting != null) {
                // withdraws the request: a call that comes now is held for a while, then closed
                waiting.cancel(false);
            }
            final var registration = called;
            called = null;
            if (registration != null) {
                registration.close();
            }
        });
    }

    private void connect() {
        retry = null;
        if (closed) {
            return;
        }
        if (endpoint.reach() instanceof GatewayView.Reach.CallHome) {
            // no connection slot and no hello timeout: the wait for a call has no end, and the listener bounds
            // the handshakes of all callers itself
            answer();
            return;
        }
        // the attempt starts (and its hello timeout runs) once a connection slot is free
        connectSlots.acquire(() -> serial.execute(this::attempt));
    }

    /** One connection attempt, holding a connection slot until it ends. */
    private void attempt() {
        if (closed) {
            connectSlots.release();
            return;
        }
        refusal.set(null);
        presented.set(null);
        final var replies = new Replies();
        final var identity = new ClientIdentityBuilder().setUsername(endpoint.username());
        final List<KeyPair> keys;
        switch (endpoint.secret()) {
            case Secret.Key key -> {
                try {
                    keys = loadKeys(key);
                } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                    connectSlots.release();
                    failed(new Failure.Unreachable("the private key cannot be read: " + e.getMessage()));
                    return;
                }
            }
            case Secret.Password password -> {
                keys = List.of();
                identity.setPassword(new PasswordBuilder()
                    .setPasswordType(new CleartextPasswordBuilder()
                        .setCleartextPassword(password.password())
                        .build())
                    .build());
            }
        }
        if (!(endpoint.reach() instanceof GatewayView.Reach.DialOut dialOut)) {
            // connect() sends a gateway that calls home to answer(), never here
            connectSlots.release();
            answer();
            return;
        }
        final var configuration = NetconfClientConfigurationBuilder.create()
            .withName(gateway)
            .withProtocol(NetconfClientProtocol.SSH)
            .withConnectionTimeoutMillis(timeouts.connectMillis())
            .withTcpParameters(new TcpClientParametersBuilder()
                .setRemoteAddress(host(dialOut.host()))
                .setRemotePort(new PortNumber(Uint16.valueOf(dialOut.port())))
                .build())
            .withSshParameters(new SshClientParametersBuilder()
                .setClientIdentity(identity.build())
                .build())
            .withSshConfigurator(new ClientFactoryManagerConfigurator() {
                @Override
                protected void configureClientFactoryManager(final ClientFactoryManager manager) {
                    manager.setServerKeyVerifier(NetconfTransport.this::verifyHostKey);
                    manager.setKeyExchangeFactories(preferMlKem(manager.getKeyExchangeFactories()));
                    if (!keys.isEmpty()) {
                        manager.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(keys));
                        manager.setUserAuthFactories(List.of(
                            new UserAuthPublicKeyFactory(manager.getSignatureFactories())));
                    }
                }
            })
            .withSessionListener(replies)
            .build();
        final ListenableFuture<NetconfClientSession> future;
        try {
            future = clientFactory.createClient(configuration);
        } catch (UnsupportedConfigurationException e) {
            connectSlots.release();
            failed(new Failure.Unreachable("unusable NETCONF settings: " + e.getMessage()));
            return;
        }
        final long attempt = ++attempts;
        connecting = attempt;
        scheduler.schedule(() -> serial.execute(() -> {
            if (connecting == attempt) {
                endAttempt();
                future.cancel(true);
                failed(new Failure.Unreachable("no NETCONF hello in " + timeouts.helloMillis() + " ms"));
            }
        }), timeouts.helloMillis(), TimeUnit.MILLISECONDS);
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(final NetconfClientSession result) {
                serial.execute(() -> {
                    if (connecting != attempt) {
                        // given up on already
                        closeQuietly(result);
                        return;
                    }
                    endAttempt();
                    connected(result, replies);
                });
            }

            @Override
            public void onFailure(final Throwable cause) {
                serial.execute(() -> {
                    if (connecting != attempt) {
                        return;
                    }
                    endAttempt();
                    final var refused = refusal.get();
                    final var key = presented.get();
                    failed(refused != null && key != null
                        ? new Failure.HostKeyMismatch(key, refused.expected(), "host key " + key
                            + " is not the expected " + refused.expected() + " (" + refused.why() + ")")
                        : new Failure.Unreachable(String.valueOf(cause.getMessage())));
                });
            }
        }, MoreExecutors.directExecutor());
    }

    /**
     * Waits for the gateway to call home: registers it with the call-home listener under the key it is held to
     * (pinned or recorded; the parser refuses a call-home gateway without one), then asks for its next session. The
     * listener has checked the host key before any credential was sent, so the session's key is that one.
     */
    private void answer() {
        final var expected = hostKeys.expected();
        if (expected == null) {
            failed(new Failure.Unreachable("a gateway that calls home needs a pinned or recorded host key"));
            return;
        }
        var registration = called;
        if (registration == null) {
            final SshCredentials credentials;
            switch (endpoint.secret()) {
                case Secret.Password password ->
                    credentials = new SshCredentials.Password(endpoint.username(), password.password());
                case Secret.Key key -> {
                    try {
                        credentials = new SshCredentials.PublicKeys(endpoint.username(), loadKeys(key));
                    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                        failed(new Failure.Unreachable("the private key cannot be read: " + e.getMessage()));
                        return;
                    }
                }
            }
            switch (callHome.register(gateway, expected, credentials)) {
                case Registration.Registered registered -> registration = registered.gateway();
                case Registration.Refused refused -> {
                    // e.g. another gateway calls home with the same key; tried again after the backoff
                    failed(new Failure.Unreachable("call home refused: " + refused.reason()));
                    return;
                }
            }
            called = registration;
        }
        final var replies = new Replies();
        final var future = registration.nextSession(replies);
        call = future;
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(final NetconfClientSession result) {
                serial.execute(() -> {
                    if (call != future) {
                        closeQuietly(result);
                        return;
                    }
                    call = null;
                    presented.set(expected);
                    connected(result, replies);
                });
            }

            @Override
            public void onFailure(final Throwable cause) {
                serial.execute(() -> {
                    if (call == future) {
                        call = null;
                        failed(new Failure.Unreachable("call home: " + cause.getMessage()));
                    }
                });
            }
        }, MoreExecutors.directExecutor());
    }

    private List<KeyPair> loadKeys(final Secret.Key key) throws IOException, GeneralSecurityException {
        return ImmutableList.copyOf(SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(gateway),
            new ByteArrayInputStream(key.privateKey().getBytes(StandardCharsets.UTF_8)),
            key.passphrase() == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(key.passphrase())));
    }

    private void endAttempt() {
        connecting = 0;
        connectSlots.release();
    }

    private void connected(final NetconfClientSession session, final Replies replies) {
        if (closed) {
            closeQuietly(session);
            return;
        }
        final var capabilities = session.getServerCapabilities();
        if (capabilities.stream().noneMatch(capability -> capability.startsWith(NetfilterXml.NETFILTER))) {
            closeQuietly(session);
            failed(new Failure.ModelMissing("the gateway does not advertise the pcp-netfilter module"));
            return;
        }
        final var key = requireNonNull(presented.get(), "a session without a host key");
        final var up = new Channel(session, replies, capabilities.contains(NetfilterXml.CANDIDATE), key);
        channel = up;
        LOG.info("Gateway {}: NETCONF session up ({}, host key {})", gateway, up.target(), key);
        listener.up(up);
    }

    private void drop(final Channel which, final String reason) {
        if (channel != which) {
            return;
        }
        channel = null;
        closeQuietly(which.session);
        failed(new Failure.Unreachable(reason));
    }

    private void failed(final Failure failure) {
        if (closed) {
            return;
        }
        final long wait = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
        LOG.warn("Gateway {}: {}; retrying in {} ms", gateway, failure.reason(), wait);
        // half the backoff plus a random part of the other half: gateways that failed together (a controller
        // overloaded by a fleet connecting at once) do not all retry together
        if (retry == null) {
            retry = scheduler.schedule(() -> serial.execute(this::connect), wait, TimeUnit.MILLISECONDS);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        }
        listener.down(failure);
    }

    // Called on SSH threads.
    private boolean verifyHostKey(final ClientSession clientSession, final SocketAddress remote, final PublicKey key) {
        final var fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        presented.set(fingerprint);
        return switch (hostKeys.check(fingerprint)) {
            case HostKeyTrust.Verdict.Accepted accepted -> true;
            case HostKeyTrust.Verdict.Refused refused -> {
                refusal.set(refused);
                LOG.warn("Gateway {}: refusing host key {} from {}: expected {} ({})", gateway, fingerprint, remote,
                    refused.expected(), refused.why());
                yield false;
            }
        };
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

    private static Host host(final String address) {
        return InetAddresses.isInetAddress(address)
            ? new Host(IetfInetUtil.ipAddressFor(InetAddresses.forString(address)))
            : new Host(new DomainName(address));
    }

    // The session may already be torn down by the transport; closing it again must not stop the retry.
    @SuppressWarnings("checkstyle:IllegalCatch")
    private void closeQuietly(final NetconfClientSession session) {
        try {
            session.close();
        } catch (RuntimeException e) {
            LOG.debug("Gateway {}: closing the session failed", gateway, e);
        }
    }
}
