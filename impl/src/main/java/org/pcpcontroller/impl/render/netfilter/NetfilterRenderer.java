/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.aaa.encrypt.AAAEncryptionService;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.netconf.client.NetconfClientFactory;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.NetconfBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.Credentials;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PasswordBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PrivateKeyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.TrustOnFirstUse;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.TrustOnFirstUseBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.DialOut;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.Netconf.ConnectionStatus;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.RenderSummary;
import org.pcpcontroller.impl.render.MappingRenderer;
import org.pcpcontroller.impl.render.RenderOutcome;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHome;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingChanges;
import org.pcpcontroller.impl.store.MappingFeed;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NETCONF netfilter renderer: one {@link GatewaySession} per gateway that has a {@code netconf} configuration,
 * fed with every change of the gateway's mappings from the {@link MappingFeed}, its session state published in
 * {@code gateways/gateway/state/netconf}, its summary in {@code state/renderer}, and each mapping's
 * {@code render-status} in the operational datastore. The answer gate waits for it where a gateway asks for
 * {@code answer-after gateway-ack}: SUCCESS only once the gateway acknowledged the mapping's rules.
 *
 * <p>When the controller stops managing a gateway (the gateway or its {@code netconf} container is deleted), a last
 * session removes its rules, unless the gateway says {@code on-removal keep-rules}.
 */
@Component(service = MappingRenderer.class, immediate = true,
    configurationPid = "org.pcpcontroller.render.netfilter")
@Designate(ocd = NetfilterRenderer.Configuration.class)
public final class NetfilterRenderer implements MappingRenderer, AutoCloseable {
    /**
     * Configuration of the renderer. A change applies in place: sessions, the engine and the ingresses stay up.
     */
    @ObjectClassDefinition(name = "PCP Controller NETCONF netfilter renderer")
    public @interface Configuration {
        @AttributeDefinition(description = "Threads shared by all gateway sessions")
        int threads() default 2;

        @AttributeDefinition(description = "NETCONF connection attempts (SSH handshake to hello) under way at once, "
            + "across all gateways; the others wait their turn")
        int connectConcurrency() default 32;

        @AttributeDefinition(description = "Identity of this controller in the owner mark it writes on every gateway "
            + "(/netfilter/owner = <controllerId>/gateway=<gateway id>); the same on every member of a cluster, "
            + "different for every controller that could be pointed at the same gateway")
        String controllerId() default "pcp-controller";
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetfilterRenderer.class);

    /** Marks a password the controller encrypted; anything else is cleartext an operator just wrote. */
    static final String ENCRYPTED = "aaa-encrypted:";

    private final NetconfConfigWriter configWriter;
    private final AAAEncryptionService encryption;
    private final GatewayRegistry registry;
    private final MappingStore store;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-netconf-timer").setDaemon(true).build());
    private final ThreadPoolExecutor pool;
    private final ConnectSlots connectSlots;
    private final GatewaySession.Shared shared;
    private final RenderStatusWriter statusWriter;
    private final ConcurrentHashMap<String, GatewaySession> sessions = new ConcurrentHashMap<>();
    /** Sessions that remove the rules of gateways no longer managed. */
    private final ConcurrentHashMap<String, GatewaySession> retiring = new ConcurrentHashMap<>();
    /** Controller ids this renderer wrote owner marks under before the current one: those marks are still ours. */
    private final Set<String> formerControllerIds = ConcurrentHashMap.newKeySet();
    private final List<Registration> registrations;
    private volatile String controllerId;

    @Activate
    public NetfilterRenderer(@Reference final DataBroker dataBroker, @Reference final MappingFeed feed,
            @Reference final NetconfClientFactory clientFactory, @Reference final MappingStore store,
            @Reference final AAAEncryptionService encryption, @Reference final GatewayRegistry registry,
            @Reference final CallHome callHome, final Configuration configuration) {
        this(dataBroker, feed, clientFactory, callHome, store, encryption, registry, configuration,
            NetconfTransport.Timeouts.DEFAULT);
    }

    NetfilterRenderer(final DataBroker dataBroker, final MappingFeed feed, final NetconfClientFactory clientFactory,
            final CallHome callHome, final MappingStore store, final AAAEncryptionService encryption,
            final GatewayRegistry registry, final Configuration configuration,
            final NetconfTransport.Timeouts timeouts) {
        configWriter = new NetconfConfigWriter(dataBroker);
        statusWriter = new RenderStatusWriter(dataBroker, Clock.systemUTC());
        this.registry = requireNonNull(registry);
        this.encryption = requireNonNull(encryption);
        this.store = requireNonNull(store);
        final int threads = Math.max(1, configuration.threads());
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
            new ThreadFactoryBuilder().setNameFormat("pcp-netconf-%d").setDaemon(true).build());
        connectSlots = new ConnectSlots(Math.max(1, configuration.connectConcurrency()));
        controllerId = configuration.controllerId();
        shared = new GatewaySession.Shared(clientFactory, callHome, connectSlots, scheduler, pool, timeouts);
        registrations = List.of(
            registry.subscribe(this::onViews),
            // only the gateways rendered over NETCONF: the others' mappings are not even converted
            feed.subscribe(MappingChanges.ofGateways(sessions::containsKey), this::onMappings));
        LOG.info("NETCONF netfilter renderer started ({} threads, {} connection attempts at once, owner marks {})",
            threads, connectSlots.limit(), controllerId);
    }

    /**
     * A new configuration of the renderer, applied in place: the shared pool and the connection slots are resized,
     * and no session is closed.
     */
    @Modified
    void modified(final Configuration configuration) {
        final int threads = Math.max(1, configuration.threads());
        // grow the maximum first (a core size above the maximum is refused), shrink the core first
        if (threads > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        } else {
            pool.setCorePoolSize(threads);
            pool.setMaximumPoolSize(threads);
        }
        connectSlots.setLimit(Math.max(1, configuration.connectConcurrency()));
        final var newId = configuration.controllerId();
        if (!newId.equals(controllerId)) {
            // marks written under the old id stay this controller's; the next edit rewrites them
            formerControllerIds.add(controllerId);
            formerControllerIds.remove(newId);
            controllerId = newId;
        }
        LOG.info("NETCONF netfilter renderer reconfigured: {} threads, {} connection attempts at once, owner marks {}",
            threads, connectSlots.limit(), controllerId);
    }

    int threads() {
        return pool.getCorePoolSize();
    }

    int connectConcurrency() {
        return connectSlots.limit();
    }

    // On a notification thread: each session queues its changes for its own executor.
    private void onMappings(final List<MappingChanges.Change> changes) {
        for (var change : changes) {
            final var session = sessions.get(change.key().gateway());
            if (session != null) {
                session.update(change.key(), change.after());
            }
        }
    }

    // On the registry's view thread.
    private void onViews(final List<GatewayRegistry.ViewChange> changes) {
        final var toStore = new ArrayList<NetconfConfigWriter.Change>();
        for (var change : changes) {
            final var id = change.gatewayId();
            final var after = change.after();
            if (after != null && after.netconf() != null) {
                final var encrypted = encryptSecrets(id, after.netconf());
                if (encrypted != null) {
                    toStore.add(encrypted);
                }
            }
            final var settings = after == null ? null : settings(after);
            final var current = sessions.get(id);
            if (current != null && settings != null && current.adopt(settings)) {
                continue;
            }
            if (current != null) {
                sessions.remove(id);
                current.close();
                stopped(id, current, after);
            }
            if (settings == null) {
                continue;
            }
            final var retired = retiring.remove(id);
            if (retired != null) {
                // the gateway is managed again before its rules were removed: the new session reconciles them
                retired.close();
            }
            // a key trusted on first use by the previous session and not recorded yet stays trusted
            final var carried = current != null && settings.pinnedHostKey() == null
                && settings.trustedHostKey() == null && current.settings().trustedHostKey() == null
                && sameEndpoint(current.settings(), settings) ? current.trustedHostKey() : null;
            final var session = new GatewaySession(id, settings, carried, shared, owner(id), reports(id));
            sessions.put(id, session);
            // the store's current mappings; later changes arrive through the feed, in order
            for (var mapping : store.mappings(id)) {
                session.update(mapping.key(), mapping);
            }
        }
        configWriter.apply(toStore);
    }

    /**
     * A gateway's session was closed: its view changed (then a new session follows), its netconf container is gone,
     * or the gateway is gone (deleted, or its configuration became one that cannot be served).
     */
    private void stopped(final String id, final GatewaySession session, final @Nullable GatewayView after) {
        if (after != null && after.netconf() != null) {
            // replaced by a session with the new settings
            return;
        }
        final boolean deleted = after == null && registry.problems(id).isEmpty();
        session.forgetStatuses(deleted);
        registry.publishRenderSummary(id, Renderer.Netfilter, null);
        if (after != null) {
            registry.publishNetconfState(id, null);
        }
        if (after == null && !deleted) {
            // misconfigured: the mappings stay in the store, and so do their rules until it is served again
            LOG.warn("Gateway {} cannot be served any more; its rules stay on it", id);
            return;
        }
        if (session.settings().keepRulesOnRemoval()) {
            LOG.info("Gateway {} is no longer managed over NETCONF; its rules stay on it (on-removal keep-rules)", id);
            return;
        }
        if (session.settings().endpoint() == null) {
            LOG.warn("Gateway {} is no longer managed over NETCONF; its rules cannot be removed: {}", id,
                session.settings().unusable());
            return;
        }
        LOG.info("Gateway {} is no longer managed over NETCONF; removing its rules", id);
        final var holder = new AtomicReference<@Nullable GatewaySession>();
        final var retire = GatewaySession.retire(id, session.settings(), session.trustedHostKey(), shared, owner(id),
            () -> retiring.remove(id, holder.get()));
        holder.set(retire);
        final var previous = retiring.put(id, retire);
        if (previous != null) {
            previous.close();
        }
    }

    private static boolean sameEndpoint(final GatewaySession.Settings left, final GatewaySession.Settings right) {
        final var one = left.endpoint();
        final var other = right.endpoint();
        return one != null && other != null && one.reach().equals(other.reach());
    }

    private GatewaySession.Owner owner(final String gateway) {
        return new GatewaySession.Owner() {
            @Override
            public String identity() {
                return mark(controllerId, gateway);
            }

            @Override
            public boolean ours(final String mark) {
                return mark.equals(identity())
                    || formerControllerIds.stream().anyMatch(former -> mark.equals(mark(former, gateway)));
            }
        };
    }

    private static String mark(final String controller, final String gateway) {
        return controller + "/gateway=" + gateway;
    }

    private GatewaySession.Reports reports(final String gateway) {
        return new GatewaySession.Reports() {
            @Override
            public void state(final GatewaySession.State state) {
                publish(gateway, state);
            }

            @Override
            public void summary(final RenderSummary summary) {
                registry.publishRenderSummary(gateway, Renderer.Netfilter, summary);
            }

            @Override
            public void statuses(final List<RuleLedger.StatusChange> changes) {
                statusWriter.submit(changes);
            }

            @Override
            public void trusted(final NetconfTransport.Endpoint endpoint, final String hostKey) {
                configWriter.apply(List.of(recordHostKey(gateway, endpoint, hostKey)));
            }
        };
    }

    /**
     * Records a key trusted on first use in the gateway's configuration ({@code trusted-host-key-sha256}), if the
     * configuration still asks for trust on first use of the same endpoint and has no key recorded: kept across
     * restarts, and the same for every cluster member.
     */
    private static NetconfConfigWriter.Change recordHostKey(final String gateway,
            final NetconfTransport.Endpoint endpoint, final String hostKey) {
        return new NetconfConfigWriter.Change(gateway, netconf -> {
            final var policy = netconf.getHostKeyPolicy();
            final boolean unrecorded = policy == null || policy instanceof TrustOnFirstUse tofu
                && tofu.getTrustedHostKeySha256() == null;
            // trust on first use is dial-out only: a gateway that calls home has its key before its first session
            if (!unrecorded || !(endpoint.reach() instanceof GatewayView.Reach.DialOut dialed)
                    || !(netconf.getTransport() instanceof DialOut dialOut) || dialOut.getAddress() == null) {
                return null;
            }
            final var address = dialOut.getAddress();
            final var host = address.getIpAddress() != null
                ? IetfInetUtil.inetAddressFor(address.getIpAddress()).getHostAddress()
                : address.getDomainName().getValue();
            final var port = dialOut.getPort();
            if (!dialed.host().equals(host) || port != null && port.getValue().toJava() != dialed.port()) {
                return null;
            }
            return new NetconfBuilder(netconf).setHostKeyPolicy(new TrustOnFirstUseBuilder()
                .setTrustOnFirstUse(policy instanceof TrustOnFirstUse tofu ? tofu.getTrustOnFirstUse() : null)
                .setTrustedHostKeySha256(hostKey).build()).build();
        }, "host key trusted on first use");
    }

    /**
     * The change that replaces a cleartext password (or key) an operator wrote by its encrypted form, or null if there
     * is nothing to encrypt; so that neither RESTCONF nor a datastore backup shows it afterwards (the netconf-topology
     * way; the cleartext lived only between the operator's commit and this one).
     */
    private NetconfConfigWriter.@Nullable Change encryptSecrets(final String gateway,
            final GatewayView.Netconf netconf) {
        final Credentials written;
        final Credentials encrypted;
        try {
            switch (netconf.credentials()) {
                case GatewayView.Credentials.Password password when needsEncryption(password.password()) -> {
                    written = new PasswordBuilder().setPassword(password.password()).build();
                    encrypted = new PasswordBuilder().setPassword(encrypt(password.password())).build();
                }
                case GatewayView.Credentials.PrivateKey key when needsEncryption(key.privateKey())
                        || needsEncryption(key.passphrase()) -> {
                    written = new PrivateKeyBuilder().setPrivateKey(key.privateKey()).setPassphrase(key.passphrase())
                        .build();
                    encrypted = new PrivateKeyBuilder()
                        .setPrivateKey(encrypt(key.privateKey()))
                        .setPassphrase(encrypt(key.passphrase()))
                        .build();
                }
                default -> {
                    return null;
                }
            }
        } catch (GeneralSecurityException e) {
            LOG.error("Gateway {}: cannot encrypt the NETCONF credentials; they stay as written", gateway, e);
            return null;
        }
        // only if nobody changed the credentials in the meantime
        return new NetconfConfigWriter.Change(gateway, current -> written.equals(current.getCredentials())
            ? new NetconfBuilder(current).setCredentials(encrypted).build() : null, "encrypted credentials");
    }

    private static boolean needsEncryption(final @Nullable String secret) {
        return secret != null && !secret.startsWith(ENCRYPTED);
    }

    private @Nullable String encrypt(final @Nullable String secret) throws GeneralSecurityException {
        return secret == null || secret.startsWith(ENCRYPTED) ? secret
            : ENCRYPTED + Base64.getEncoder().encodeToString(encryption.encrypt(secret.getBytes(
                StandardCharsets.UTF_8)));
    }

    /** A stored secret in clear, or why it cannot be read. */
    private sealed interface Decrypted {
        record Clear(String secret) implements Decrypted {
        }

        record Unreadable(String why) implements Decrypted {
        }
    }

    private Decrypted decrypt(final String gateway, final String what, final String stored) {
        if (!stored.startsWith(ENCRYPTED)) {
            return new Decrypted.Clear(stored);
        }
        try {
            return new Decrypted.Clear(new String(encryption.decrypt(Base64.getDecoder().decode(stored.substring(
                ENCRYPTED.length()))), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            LOG.error("Gateway {}: the stored NETCONF {} cannot be decrypted; write it again", gateway, what, e);
            return new Decrypted.Unreadable("the stored " + what + " cannot be decrypted (" + e.getMessage()
                + "); write it again");
        }
    }

    /**
     * What a session to this gateway needs, secrets decrypted; null when the gateway is not rendered over NETCONF.
     * Secrets that cannot be decrypted give settings without an endpoint, so that the state says why.
     */
    private GatewaySession.@Nullable Settings settings(final GatewayView view) {
        final var netconf = view.netconf();
        if (netconf == null) {
            return null;
        }
        final var gateway = view.id();
        NetconfTransport.Secret secret = null;
        String unusable = null;
        switch (netconf.credentials()) {
            case GatewayView.Credentials.Password written -> {
                switch (decrypt(gateway, "password", written.password())) {
                    case Decrypted.Clear clear -> secret = new NetconfTransport.Secret.Password(clear.secret());
                    case Decrypted.Unreadable unreadable -> unusable = unreadable.why();
                }
            }
            case GatewayView.Credentials.PrivateKey written -> {
                final var key = decrypt(gateway, "private key", written.privateKey());
                final var passphrase = written.passphrase() == null ? null
                    : decrypt(gateway, "passphrase", written.passphrase());
                if (key instanceof Decrypted.Unreadable unreadable) {
                    unusable = unreadable.why();
                } else if (passphrase instanceof Decrypted.Unreadable unreadable) {
                    unusable = unreadable.why();
                } else {
                    secret = new NetconfTransport.Secret.Key(((Decrypted.Clear) key).secret(),
                        passphrase == null ? null : ((Decrypted.Clear) passphrase).secret());
                }
            }
        }
        return new GatewaySession.Settings(secret == null ? null : new NetconfTransport.Endpoint(netconf.reach(),
            netconf.username(), secret), unusable, netconf.pinnedHostKey(), netconf.trustedHostKey(),
            netconf.keepalive().toMillis(), netconf.reconcileInterval().toMillis(),
            view.policy().dscpRenderer() == GatewayView.DscpRenderer.NETFILTER, netconf.keepRulesOnRemoval());
    }

    private void publish(final String gateway, final GatewaySession.State state) {
        final var builder = new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways
            .gateway.state.NetconfBuilder();
        builder.setConnectionStatus(switch (state.status()) {
            case CONNECTING -> ConnectionStatus.Connecting;
            case CONNECTED -> ConnectionStatus.Connected;
            case UNABLE_TO_CONNECT -> ConnectionStatus.UnableToConnect;
            case HOST_KEY_MISMATCH -> ConnectionStatus.HostKeyMismatch;
            case MODEL_MISSING -> ConnectionStatus.MissingCapability;
            case OWNER_CONFLICT -> ConnectionStatus.OwnerConflict;
            case CREDENTIALS_UNREADABLE -> ConnectionStatus.CredentialsUnreadable;
        })
            .setHostKeySha256(state.hostKey())
            .setLastError(state.lastError())
            .setConnectedSince(state.connectedSince() == null ? null
                : BindingMappings.dateAndTime(state.connectedSince()))
            .setLastReconcile(state.lastReconcile() == null ? null
                : BindingMappings.dateAndTime(state.lastReconcile()))
            .setEditsSent(new Counter64(Uint64.valueOf(state.editsSent())))
            .setEditsFailed(new Counter64(Uint64.valueOf(state.editsFailed())))
            .setReconnects(new Counter64(Uint64.valueOf(state.reconnects())))
            .setLocksDenied(new Counter64(Uint64.valueOf(state.locksDenied())));
        registry.publishNetconfState(gateway, builder.build());
    }

    @Override
    public Renderer kind() {
        return Renderer.Netfilter;
    }

    @Override
    public boolean renders(final Mapping mapping) {
        final var session = sessions.get(mapping.key().gateway());
        // a mapping that renders to no rule (an IPv6 PEER without marking) has nothing to wait for
        return session != null && (NetfilterRules.problem(mapping) != null
            || !NetfilterRules.render(mapping, session.settings().renderDscp()).isEmpty());
    }

    @Override
    public ListenableFuture<RenderOutcome> whenRendered(final Mapping mapping) {
        final var session = sessions.get(mapping.key().gateway());
        return session == null ? Futures.immediateFuture(new RenderOutcome.Failed("no NETCONF session"))
            : session.whenRendered(mapping);
    }

    @Override
    @Deactivate
    public void close() {
        registrations.forEach(Registration::close);
        sessions.values().forEach(GatewaySession::close);
        sessions.clear();
        retiring.values().forEach(GatewaySession::close);
        retiring.clear();
        scheduler.shutdownNow();
        pool.shutdown();
        LOG.info("NETCONF netfilter renderer stopped");
    }
}
