/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.netconf.api.NetconfTerminationReason;
import org.opendaylight.netconf.api.TransportConstants;
import org.opendaylight.netconf.api.messages.NetconfMessage;
import org.opendaylight.netconf.client.ClientChannelInitializer;
import org.opendaylight.netconf.client.NetconfClientSession;
import org.opendaylight.netconf.client.NetconfClientSessionListener;
import org.opendaylight.netconf.client.NetconfClientSessionNegotiatorFactory;
import org.opendaylight.netconf.common.NetconfTimer;
import org.opendaylight.netconf.shaded.sshd.client.ClientFactoryManager;
import org.opendaylight.netconf.shaded.sshd.client.auth.password.UserAuthPasswordFactory;
import org.opendaylight.netconf.shaded.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.opendaylight.netconf.shaded.sshd.client.session.ClientSession;
import org.opendaylight.netconf.shaded.sshd.common.SshConstants;
import org.opendaylight.netconf.shaded.sshd.common.config.keys.KeyUtils;
import org.opendaylight.netconf.shaded.sshd.common.digest.BuiltinDigests;
import org.opendaylight.netconf.shaded.sshd.common.session.Session;
import org.opendaylight.netconf.shaded.sshd.common.session.SessionListener;
import org.opendaylight.netconf.transport.api.TransportChannel;
import org.opendaylight.netconf.transport.api.TransportChannelListener;
import org.opendaylight.netconf.transport.api.UnsupportedConfigurationException;
import org.opendaylight.netconf.transport.ssh.ClientFactoryManagerConfigurator;
import org.opendaylight.netconf.transport.ssh.SSHClient;
import org.opendaylight.netconf.transport.ssh.SSHTransportStackFactory;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.netconf.client.rev240814.netconf.client.initiate.stack.grouping.transport.ssh.ssh.SshClientParametersBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.netconf.client.rev240814.netconf.client.listen.stack.grouping.transport.ssh.ssh.TcpServerParametersBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.ssh.client.rev241010.ssh.client.grouping.ClientIdentityBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.tcp.server.rev241010.tcp.server.grouping.LocalBindBuilder;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call-home listener (RFC 8071 section 3.1, NETCONF client side): accepts TCP connections from gateways, runs
 * the SSH client over each (ODL's transport-ssh in listen mode), identifies the gateway by the host key the key
 * exchange proved, authenticates with that gateway's credentials, opens the {@code netconf} subsystem and says
 * hello (ODL's netconf-client negotiator), and hands the NETCONF session to whoever asked for that gateway's next
 * session. A host key of no registered gateway ends the connection before any credential is sent. What happens
 * between connections is {@link CallHomeLedger}'s; this class is the I/O around it.
 *
 * <p>ODL's own call-home server (netconf callhome-provider, feature odl-netconf-callhome-ssh) is built on the same
 * transport-ssh {@code listenClient}, but binds each device into a netconf-topology mount, which this controller
 * does not use: it runs its own sessions.
 *
 * <p>It listens only while some gateway is registered, so a controller without call-home gateways has no port open.
 */
@Component(service = CallHome.class, configurationPid = "org.pcpcontroller.render.netfilter.callhome")
@Designate(ocd = CallHomeServer.Configuration.class)
public final class CallHomeServer implements CallHome, AutoCloseable {
    /**
     * Configuration of the listener.
     */
    @ObjectClassDefinition(name = "PCP Controller NETCONF Call Home listener")
    public @interface Configuration {
        @AttributeDefinition(description = "Address to listen on while some gateway calls home")
        String address() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port to listen on (IANA netconf-ch-ssh: 4334)")
        int port() default 4334;

        @AttributeDefinition(description = "Calls between TCP accept and NETCONF hello at once; a call beyond "
            + "this is closed at once and its gateway dials again")
        int maxHandshakes() default 32;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CallHomeServer.class);
    /** What the OpenSSH client sends as a keepalive; every SSH server answers it, if only with a failure. */
    private static final String KEEPALIVE = "keepalive@openssh.com";
    /**
     * From TCP accept to NETCONF hello, as for a gateway the controller dials: a caller that stalls (a hung
     * netconfd, or a peer that only holds the connection open) gives its handshake slot back.
     */
    private static final long HANDSHAKE_MILLIS = 30_000;
    /** For the gateway's hello once the subsystem is open. */
    private static final long HELLO_MILLIS = 10_000;
    /**
     * For a live session's answer to a keepalive when its gateway calls again: a round trip over a loaded home
     * uplink, with margin. The newcomer is held meanwhile, which costs nothing.
     */
    private static final long PROBE_MILLIS = 10_000;
    /**
     * How long a session nobody asked for yet is held. It must outlast the renderer's longest reconnect backoff
     * (60 s): a session that comes up while the renderer waits out a failure is still there when it asks again.
     */
    private static final long HOLD_MILLIS = 90_000;
    /** For the listening socket to close: a local operation on the event loop. */
    private static final long SHUTDOWN_MILLIS = 10_000;
    /** How often the port is tried while the event loops shut down. */
    private static final long POLL_MILLIS = 50;
    /** A host key fingerprint as ssh-keygen -l -E sha256 prints it (and the pcp-gateway model pins it). */
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");

    /**
     * One accepted connection, from TCP accept to its end.
     */
    private final class Call {
        private final ClientSession ssh;
        private final Forwarder forwarder = new Forwarder();
        private final AtomicBoolean handshaking = new AtomicBoolean(true);
        private final ScheduledFuture<?> deadline;
        private volatile @Nullable String gateway;
        private volatile @Nullable String failure;
        private volatile @Nullable NetconfClientSession netconf;

        Call(final ClientSession ssh) {
            this.ssh = ssh;
            deadline = scheduler.schedule(() -> {
                if (handshaking.get()) {
                    fail("no NETCONF session within " + HANDSHAKE_MILLIS + " ms of the call");
                }
            }, HANDSHAKE_MILLIS, TimeUnit.MILLISECONDS);
        }

        void handshakeOver() {
            if (handshaking.compareAndSet(true, false)) {
                deadline.cancel(false);
                handshakes.decrementAndGet();
            }
        }

        void fail(final String why) {
            failure = why;
            close();
        }

        void close() {
            ssh.close(true);
        }

        @Override
        public String toString() {
            final var name = gateway;
            final var remote = ssh.getRemoteAddress();
            return name == null ? String.valueOf(remote) : "gateway " + name + " (" + remote + ")";
        }
    }

    /**
     * A request for a gateway's next session.
     */
    private record Request(NetconfClientSessionListener listener, SettableFuture<NetconfClientSession> future) {
    }

    /**
     * The NETCONF session listener of a call: quiet until the session is handed over, then the owner's.
     */
    private static final class Forwarder implements NetconfClientSessionListener {
        private volatile @Nullable NetconfClientSessionListener owner;

        @Override
        public void onSessionUp(final NetconfClientSession session) {
            // replayed to the owner at the hand-over
        }

        @Override
        public void onSessionDown(final NetconfClientSession session, final Exception cause) {
            final var target = owner;
            if (target != null) {
                target.onSessionDown(session, cause);
            }
        }

        @Override
        public void onSessionTerminated(final NetconfClientSession session, final NetconfTerminationReason reason) {
            final var target = owner;
            if (target != null) {
                target.onSessionTerminated(session, reason);
            }
        }

        @Override
        public void onMessage(final NetconfClientSession session, final NetconfMessage message) {
            final var target = owner;
            if (target != null) {
                target.onMessage(session, message);
            }
            // before the hand-over nothing was asked, so nothing is owed an answer
        }

        @Override
        public void onError(final NetconfClientSession session, final Exception cause) {
            final var target = owner;
            if (target != null) {
                target.onError(session, cause);
            }
        }
    }

    /**
     * The registration handle given to the renderer.
     */
    private final class Gateway implements CallHomeGateway {
        private final CallHomeLedger.Entry<Call, Request> entry;

        Gateway(final CallHomeLedger.Entry<Call, Request> entry) {
            this.entry = entry;
        }

        @Override
        public ListenableFuture<NetconfClientSession> nextSession(final NetconfClientSessionListener listener) {
            final var request = new Request(requireNonNull(listener), SettableFuture.create());
            final var future = request.future();
            future.addListener(() -> {
                if (future.isCancelled()) {
                    ledger.withdraw(entry, request);
                }
            }, MoreExecutors.directExecutor());
            // stored first: a listener that fails to bind at once fails it, rather than miss it
            execute(ledger.request(entry, request));
            if (!listen()) {
                execute(ledger.failRequests("the call-home listener is stopped"));
            }
            return future;
        }

        @Override
        public void close() {
            execute(ledger.unregister(entry));
            stopIfUnused();
        }

        @Override
        public String toString() {
            return "call home of gateway " + entry.gateway();
        }
    }

    private final CallHomeLedger<Call, Request> ledger = new CallHomeLedger<>();
    private final InetSocketAddress bind;
    private final int maxHandshakes;
    private final NetconfClientSessionNegotiatorFactory negotiatorFactory;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-callhome-timer").setDaemon(true).build());
    private final ConcurrentHashMap<ClientSession, Call> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SocketAddress, Call> byRemote = new ConcurrentHashMap<>();
    private final AtomicInteger handshakes = new AtomicInteger();

    // guarded by this
    private @Nullable SSHTransportStackFactory transport;
    private @Nullable ListenableFuture<SSHClient> listening;
    private boolean closed;

    /**
     * A listener on the address and port given.
     *
     * @param timer for the NETCONF hello timeout
     * @param maxHandshakes calls between TCP accept and NETCONF hello at once
     */
    public CallHomeServer(final NetconfTimer timer, final InetSocketAddress bind, final int maxHandshakes) {
        this.bind = requireNonNull(bind);
        if (maxHandshakes < 1) {
            throw new IllegalArgumentException("maxHandshakes must be positive: " + maxHandshakes);
        }
        this.maxHandshakes = maxHandshakes;
        // as NetconfClientFactoryImpl makes it for a gateway the controller dials
        negotiatorFactory = new NetconfClientSessionNegotiatorFactory(timer, Optional.empty(), HELLO_MILLIS);
    }

    @Activate
    public CallHomeServer(@Reference final NetconfTimer timer, final Configuration configuration) {
        this(timer, new InetSocketAddress(InetAddresses.forString(configuration.address()), configuration.port()),
            configuration.maxHandshakes());
    }

    @Override
    public Registration register(final String gateway, final String hostKeySha256,
            final SshCredentials credentials) {
        if (!FINGERPRINT.matcher(hostKeySha256).matches()) {
            return new Registration.Refused("call home needs the gateway's host key fingerprint (SHA256:...), not "
                + hostKeySha256);
        }
        // ssh-keygen may print the padding, the SSH library does not
        final var fingerprint = hostKeySha256.endsWith("=") ? hostKeySha256.substring(0, hostKeySha256.length() - 1)
            : hostKeySha256;
        return switch (ledger.register(gateway, fingerprint, credentials)) {
            case CallHomeLedger.Registered.KeyInUse<Call, Request> inUse -> new Registration.Refused("host key "
                + fingerprint + " already identifies gateway " + inUse.gateway());
            case CallHomeLedger.Registered.Accepted<Call, Request> accepted -> {
                execute(accepted.actions());
                if (!listen()) {
                    execute(ledger.unregister(accepted.entry()));
                    yield new Registration.Refused("the call-home listener is stopped");
                }
                yield new Registration.Registered(new Gateway(accepted.entry()));
            }
        };
    }

    @Override
    public CallHomeCounters counters() {
        return ledger.counters();
    }

    // --- listening ----------------------------------------------------------------------------------------------

    /**
     * Listens, unless it does already or nobody is registered; false once the component is closed.
     */
    private boolean listen() {
        @Nullable ListenableFuture<SSHClient> future;
        final SSHTransportStackFactory factory;
        String unusable = "";
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (listening != null || ledger.isEmpty()) {
                return true;
            }
            factory = new SSHTransportStackFactory("pcp-callhome", 0);
            try {
                future = factory.listenClient(TransportConstants.SSH_SUBSYSTEM, new ChannelListener(),
                    new TcpServerParametersBuilder()
                        .setLocalBind(BindingMap.of(new LocalBindBuilder()
                            .setLocalAddress(IetfInetUtil.ipAddressFor(bind.getAddress()))
                            .setLocalPort(new PortNumber(Uint16.valueOf(bind.getPort())))
                            .build()))
                        .build(),
                    // the user name is each gateway's, set once its host key says which gateway it is
                    new SshClientParametersBuilder()
                        .setClientIdentity(new ClientIdentityBuilder().setUsername("unidentified").build())
                        .build(),
                    new ClientFactoryManagerConfigurator() {
                        @Override
                        protected void configureClientFactoryManager(final ClientFactoryManager manager) {
                            manager.setServerKeyVerifier(CallHomeServer.this::verifyHostKey);
                            manager.setKeyExchangeFactories(
                                SshAlgorithms.preferMlKem(manager.getKeyExchangeFactories()));
                            manager.setUserAuthFactories(List.of(new UserAuthPasswordFactory(),
                                new UserAuthPublicKeyFactory(manager.getSignatureFactories())));
                            manager.addSessionListener(new CallTracker());
                        }
                    });
            } catch (UnsupportedConfigurationException e) {
                factory.close();
                LOG.warn("Cannot set up the NETCONF Call Home listener on {}", bind, e);
                unusable = "the call-home listener cannot be set up: " + e.getMessage();
                future = null;
            }
            if (future != null) {
                transport = factory;
                listening = future;
            }
        }
        if (future == null) {
            execute(ledger.failRequests(unusable));
            return true;
        }
        final var started = future;
        Futures.addCallback(started, new FutureCallback<>() {
            @Override
            public void onSuccess(final SSHClient result) {
                LOG.info("Listening for NETCONF Call Home on {}", bind);
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Cannot listen for NETCONF Call Home on {}", bind, cause);
                synchronized (CallHomeServer.this) {
                    if (listening == started) {
                        listening = null;
                        transport = null;
                        factory.close();
                    }
                }
                // the renderer learns it, and asks again after its backoff, which tries to bind again
                execute(ledger.failRequests("cannot listen for NETCONF Call Home on " + bind + ": "
                    + cause.getMessage()));
            }
        }, MoreExecutors.directExecutor());
        return true;
    }

    private void stopIfUnused() {
        if (ledger.isEmpty()) {
            stopListening();
        }
    }

    private void stopListening() {
        final @Nullable ListenableFuture<SSHClient> future;
        final @Nullable SSHTransportStackFactory factory;
        synchronized (this) {
            future = listening;
            factory = transport;
            listening = null;
            transport = null;
        }
        if (future != null && factory != null) {
            if (future.isDone() && !future.isCancelled()) {
                try {
                    // the port is free once this completes: a listener started next (a new registration, the
                    // component reactivated with new settings, a controller restart in the same JVM) can bind it.
                    // Waited for outside the lock, since the event loop's callbacks take it
                    Futures.getDone(future).shutdown().get(SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warn("The call-home listener on {} did not close cleanly", bind, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // closing the event loops ends every connection on them too
            factory.close();
            awaitPortFree();
            LOG.info("Stopped listening for NETCONF Call Home on {}", bind);
        }
    }

    /**
     * Waits (at most {@value #SHUTDOWN_MILLIS} ms) until the listening port can be bound again. In transport-ssh
     * 10.0.2 the listening TCP channel outlives the {@code SSHClient}'s {@code shutdown()} (CallHomeGatewayTest's
     * restart step still failed to bind after it), and the factory's close only starts a graceful shutdown of the
     * event loops (2 s quiet period), which is what closes it: without this wait a listener started next (a gateway
     * registered again, the component restarted) fails with "Address already in use".
     */
    private void awaitPortFree() {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_MILLIS);
        while (true) {
            try (var probe = new ServerSocket()) {
                // as the listener binds (TCPServer sets SO_REUSEADDR): connections in TIME_WAIT do not count
                probe.setReuseAddress(true);
                probe.bind(bind);
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.warn("The call-home port {} is still in use after the listener stopped", bind, e);
                    return;
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // --- calls --------------------------------------------------------------------------------------------------

    /**
     * Follows every SSH session of the listener from creation to close.
     */
    private final class CallTracker implements SessionListener {
        @Override
        public void sessionCreated(final Session session) {
            if (!(session instanceof ClientSession ssh)) {
                return;
            }
            ledger.countAccepted();
            if (handshakes.incrementAndGet() > maxHandshakes) {
                handshakes.decrementAndGet();
                ledger.countRefusedBusy();
                LOG.debug("Call home from {}: {} handshakes under way, closing", ssh.getRemoteAddress(),
                    maxHandshakes);
                // before any key exchange work; the gateway's relay dials again after its backoff
                scheduler.execute(() -> ssh.close(true));
                return;
            }
            calls.put(ssh, new Call(ssh));
        }

        @Override
        public void sessionClosed(final Session session) {
            if (!(session instanceof ClientSession ssh)) {
                return;
            }
            final var call = calls.remove(ssh);
            if (call == null) {
                return;
            }
            final var remote = ssh.getRemoteAddress();
            if (remote != null) {
                byRemote.remove(remote, call);
            }
            call.handshakeOver();
            if (call.netconf != null) {
                LOG.info("Call home: the session of {} ended", call);
                execute(ledger.closed(call));
                return;
            }
            final var failure = call.failure;
            final var reason = failure != null ? failure
                : ssh.isAuthenticated() ? "the connection closed before the NETCONF hello"
                    : "SSH authentication as " + ssh.getUsername() + " failed, or the connection closed before it";
            if (call.gateway != null) {
                LOG.warn("Call home from {} failed: {}", call, reason);
            }
            execute(ledger.failed(call, reason));
        }
    }

    private boolean verifyHostKey(final ClientSession ssh, final SocketAddress remote, final PublicKey key) {
        final var call = calls.get(ssh);
        if (call == null) {
            return false;
        }
        final var fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        return switch (ledger.identify(call, fingerprint, hostAndPort(remote))) {
            case Identity.Unknown unknown -> {
                LOG.warn("Call home from {}: host key {} identifies no gateway; refused", remote, fingerprint);
                yield false;
            }
            case Identity.Known known -> {
                call.gateway = known.gateway();
                // the subsystem's channel is found by its peer address, which TCP makes unique among live calls
                byRemote.put(remote, call);
                if (!ssh.isAuthenticated()) {
                    // only now, to the holder of the gateway's host key, do the gateway's credentials go
                    ssh.setUsername(known.credentials().username());
                    switch (known.credentials()) {
                        case SshCredentials.Password password -> ssh.addPasswordIdentity(password.password());
                        case SshCredentials.PublicKeys keys -> keys.keys().forEach(ssh::addPublicKeyIdentity);
                    }
                }
                yield true;
            }
        };
    }

    private static String hostAndPort(final SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
            ? HostAndPort.fromParts(InetAddresses.toAddrString(inet.getAddress()), inet.getPort()).toString()
            : String.valueOf(address);
    }

    /**
     * Runs NETCONF over every call whose {@code netconf} subsystem is open.
     */
    private final class ChannelListener implements TransportChannelListener<TransportChannel> {
        @Override
        public void onTransportChannelEstablished(final TransportChannel transportChannel) {
            final Channel channel = transportChannel.channel();
            final var call = byRemote.get(channel.remoteAddress());
            if (call == null) {
                channel.close();
                return;
            }
            final var promise = channel.eventLoop().<NetconfClientSession>newPromise();
            promise.addListener(done -> {
                final var cause = done.cause();
                if (cause != null) {
                    call.fail("NETCONF hello failed: " + cause.getMessage());
                    return;
                }
                final var session = promise.getNow();
                call.netconf = session;
                call.handshakeOver();
                LOG.info("Call home: NETCONF session {} up with {}", session.sessionId().getValue(), call);
                execute(ledger.up(call));
            });
            new ClientChannelInitializer(negotiatorFactory, call.forwarder).initialize(channel, promise);
        }

        @Override
        public void onTransportChannelFailed(final Throwable cause) {
            // the SSH session's close tells the call's story
            LOG.debug("Call home: a connection failed", cause);
        }
    }

    // --- what the ledger decided ----------------------------------------------------------------------------------

    private void execute(final List<Action<Call, Request>> actions) {
        for (var action : actions) {
            switch (action) {
                case Action.HandOver<Call, Request> handOver -> handOver(handOver.request(), handOver.connection());
                case Action.Fail<Call, Request> fail -> fail.request().future().setException(
                    new IOException(fail.reason()));
                case Action.Close<Call, Request> close -> {
                    LOG.info("Call home: closing {}: {}", close.connection(), close.reason());
                    close.connection().close();
                }
                case Action.Probe<Call, Request> probe -> probe(probe.connection());
                case Action.Hold<Call, Request> hold -> scheduler.schedule(() -> execute(ledger.unclaimed(
                    hold.connection())), HOLD_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void handOver(final Request request, final Call call) {
        final var session = call.netconf;
        if (session == null) {
            // cannot happen: the ledger hands over only calls that are up
            call.close();
            return;
        }
        final var owner = request.listener();
        call.forwarder.owner = owner;
        owner.onSessionUp(session);
        if (!request.future().set(session)) {
            // the owner gave up at this very moment: nobody holds the session, so nobody would close it
            call.close();
        } else if (!call.ssh.isOpen()) {
            // it ended before the owner listened: tell the owner, as the session would have
            owner.onSessionDown(session, new IOException("the call ended as it was handed over"));
        }
    }

    /**
     * Asks a live session's SSH transport for a sign of life: an OpenSSH keepalive, which the gateway's sshd answers
     * (with a failure: it knows no such request) below NETCONF, so the owner's RPCs are not disturbed.
     */
    private void probe(final Call call) {
        final var answered = new AtomicBoolean();
        final Runnable dead = () -> {
            if (answered.compareAndSet(false, true)) {
                execute(ledger.probed(call, false));
            }
        };
        scheduler.schedule(dead, PROBE_MILLIS, TimeUnit.MILLISECONDS);
        try {
            final var buffer = call.ssh.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST);
            buffer.putString(KEEPALIVE);
            buffer.putBoolean(true);
            call.ssh.request(buffer, KEEPALIVE, (command, reply) -> {
                if (answered.compareAndSet(false, true)) {
                    execute(ledger.probed(call, true));
                }
            }).addListener(sent -> {
                if (sent.getException() != null) {
                    dead.run();
                }
            });
        } catch (IOException e) {
            LOG.debug("Call home: cannot probe {}", call, e);
            dead.run();
        }
    }

    @Deactivate
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        execute(ledger.failRequests("the call-home listener stopped"));
        stopListening();
        calls.values().forEach(Call::close);
        scheduler.shutdownNow();
    }
}
