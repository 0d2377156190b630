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
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.aaa.encrypt.AAAEncryptionService;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.netconf.client.NetconfClientFactory;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Netconf;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.NetconfBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.Credentials;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PasswordBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PrivateKeyBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.render.MappingRenderer;
import org.pcpcontroller.impl.render.RenderOutcome;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingChanges;
import org.pcpcontroller.impl.store.MappingFeed;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NETCONF netfilter renderer: one {@link GatewaySession} per gateway that has a {@code netconf} configuration,
 * fed with every change of the gateway's mappings (data tree change listeners, so whatever made the change), and
 * its session state published in {@code gateways/gateway/state/netconf}. The answer gate waits for it where a gateway
 * asks for {@code answer-after gateway-ack}: SUCCESS only once the gateway acknowledged the mapping's rules.
 */
@Component(service = MappingRenderer.class, immediate = true,
    configurationPid = "org.pcpcontroller.render.netfilter")
@Designate(ocd = NetfilterRenderer.Configuration.class)
public final class NetfilterRenderer implements MappingRenderer, AutoCloseable {
    /**
     * Configuration of the renderer.
     */
    @ObjectClassDefinition(name = "PCP Controller NETCONF netfilter renderer")
    public @interface Configuration {
        @AttributeDefinition(description = "Threads shared by all gateway sessions")
        int threads() default 2;

        @AttributeDefinition(description = "NETCONF connection attempts (SSH handshake to hello) under way at once, "
            + "across all gateways; the others wait their turn")
        int connectConcurrency() default 32;
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetfilterRenderer.class);

    /** Marks a password the controller encrypted; anything else is cleartext an operator just wrote. */
    static final String ENCRYPTED = "aaa-encrypted:";
    private static final int MAX_ENCRYPT_ATTEMPTS = 3;

    private final DataBroker dataBroker;
    private final NetconfClientFactory clientFactory;
    private final AAAEncryptionService encryption;
    private final GatewayRegistry registry;
    private final MappingStore store;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-netconf-timer").setDaemon(true).build());
    private final ExecutorService pool;
    private final ConnectSlots connectSlots;
    private final ConcurrentHashMap<String, GatewaySession> sessions = new ConcurrentHashMap<>();
    private final List<Registration> registrations;

    @Activate
    public NetfilterRenderer(@Reference final DataBroker dataBroker, @Reference final MappingFeed feed,
            @Reference final NetconfClientFactory clientFactory, @Reference final MappingStore store,
            @Reference final AAAEncryptionService encryption, @Reference final GatewayRegistry registry,
            final Configuration configuration) {
        this.dataBroker = requireNonNull(dataBroker);
        this.registry = requireNonNull(registry);
        this.encryption = requireNonNull(encryption);
        this.clientFactory = requireNonNull(clientFactory);
        this.store = requireNonNull(store);
        pool = Executors.newFixedThreadPool(Math.max(1, configuration.threads()), new ThreadFactoryBuilder()
            .setNameFormat("pcp-netconf-%d").setDaemon(true).build());
        connectSlots = new ConnectSlots(Math.max(1, configuration.connectConcurrency()));
        registrations = List.of(
            registry.subscribe(this::onViews),
            // only the gateways rendered over NETCONF: the others' mappings are not even converted
            feed.subscribe(MappingChanges.ofGateways(sessions::containsKey), this::onMappings));
        LOG.info("NETCONF netfilter renderer started");
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
        final var toEncrypt = new ArrayList<Encrypted>();
        for (var change : changes) {
            final var id = change.gatewayId();
            final var after = change.after();
            if (after != null && after.netconf() != null) {
                final var encrypted = encryptPassword(id, after.netconf());
                if (encrypted != null) {
                    toEncrypt.add(encrypted);
                }
            }
            final var settings = after == null ? null : settings(after);
            final var current = sessions.get(id);
            if (current != null && settings != null && current.settings().equals(settings)) {
                continue;
            }
            if (current != null) {
                sessions.remove(id);
                current.close();
            }
            if (settings == null) {
                if (after != null) {
                    publish(id, null);
                }
                continue;
            }
            final var session = new GatewaySession(id, settings, clientFactory, connectSlots, scheduler, pool,
                state -> publish(id, state));
            if (current != null) {
                session.trust(current.trustedHostKey());
            }
            sessions.put(id, session);
            // the store's current mappings; later changes arrive through the listeners, in order
            for (var mapping : store.mappings(id)) {
                session.update(mapping.key(), mapping);
            }
        }
        storeEncrypted(toEncrypt, 1);
    }

    /** A gateway's credentials as written, and their encrypted form. */
    private record Encrypted(String gateway, DataObjectIdentifier<Netconf> path, Credentials written,
            Credentials encrypted) {
    }

    /**
     * The encrypted form of a cleartext password (or key) an operator wrote, or null if there is nothing to
     * encrypt. {@link #storeEncrypted} replaces it, so that neither RESTCONF nor a datastore backup shows it
     * afterwards (the netconf-topology way; the cleartext lived only between the operator's commit and this one).
     */
    private @Nullable Encrypted encryptPassword(final String gateway, final GatewayView.Netconf netconf) {
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
        return new Encrypted(gateway, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, new GatewayKey(new GatewayId(gateway)))
            .child(Netconf.class)
            .build(), written, encrypted);
    }

    /**
     * Writes the encrypted credentials of one batch of gateway changes in one transaction, each only if nobody
     * changed the credentials in the meantime. One transaction per gateway made a fleet written at once (3,000
     * gateways in one PATCH) commit 3,000 transactions together; on a loaded machine hundreds of them hit the
     * datastore's request timeout and those passwords stayed in clear. A failed commit is tried again, reading
     * everything anew.
     */
    private void storeEncrypted(final List<Encrypted> batch, final int attempt) {
        if (batch.isEmpty()) {
            return;
        }
        final var tx = dataBroker.newReadWriteTransaction();
        final var reads = batch.stream().map(item -> tx.read(LogicalDatastoreType.CONFIGURATION, item.path()))
            .toList();
        Futures.addCallback(Futures.allAsList(reads), new FutureCallback<List<Optional<Netconf>>>() {
            @Override
            public void onSuccess(final List<Optional<Netconf>> current) {
                boolean written = false;
                for (int i = 0; i < batch.size(); i++) {
                    final var item = batch.get(i);
                    final var netconf = current.get(i);
                    if (netconf.isPresent() && item.written().equals(netconf.orElseThrow().getCredentials())) {
                        tx.put(LogicalDatastoreType.CONFIGURATION, item.path(),
                            new NetconfBuilder(netconf.orElseThrow()).setCredentials(item.encrypted()).build());
                        written = true;
                    }
                }
                if (!written) {
                    tx.cancel();
                    return;
                }
                tx.commit().addCallback(new FutureCallback<CommitInfo>() {
                    @Override
                    public void onSuccess(final CommitInfo result) {
                        // stored
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        retryEncrypted(batch, attempt, cause);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                retryEncrypted(batch, attempt, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void retryEncrypted(final List<Encrypted> batch, final int attempt, final Throwable cause) {
        if (attempt < MAX_ENCRYPT_ATTEMPTS) {
            LOG.info("Storing the encrypted NETCONF credentials of {} gateways failed; trying again", batch.size(),
                cause);
            storeEncrypted(batch, attempt + 1);
        } else {
            LOG.warn("Cannot store the encrypted NETCONF credentials of {} gateways (first {}); they stay as written",
                batch.size(), batch.getFirst().gateway(), cause);
        }
    }

    private static boolean needsEncryption(final @Nullable String secret) {
        return secret != null && !secret.startsWith(ENCRYPTED);
    }

    private @Nullable String encrypt(final @Nullable String secret) throws GeneralSecurityException {
        return secret == null || secret.startsWith(ENCRYPTED) ? secret
            : ENCRYPTED + Base64.getEncoder().encodeToString(encryption.encrypt(secret.getBytes(
                StandardCharsets.UTF_8)));
    }

    private @Nullable String decrypt(final String gateway, final String stored) {
        if (!stored.startsWith(ENCRYPTED)) {
            return stored;
        }
        try {
            return new String(encryption.decrypt(Base64.getDecoder().decode(stored.substring(ENCRYPTED.length()))),
                StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            LOG.error("Gateway {}: a stored NETCONF secret cannot be decrypted; write it again", gateway, e);
            return null;
        }
    }

    /**
     * What a session to this gateway needs, secrets decrypted; null when the gateway is not rendered over NETCONF or
     * its secrets cannot be read.
     */
    private GatewaySession.@Nullable Settings settings(final GatewayView view) {
        final var netconf = view.netconf();
        if (netconf == null) {
            return null;
        }
        final var gateway = view.id();
        String password = null;
        String privateKey = null;
        String passphrase = null;
        switch (netconf.credentials()) {
            case GatewayView.Credentials.Password written -> {
                password = decrypt(gateway, written.password());
                if (password == null) {
                    return null;
                }
            }
            case GatewayView.Credentials.PrivateKey written -> {
                privateKey = decrypt(gateway, written.privateKey());
                passphrase = written.passphrase() == null ? null : decrypt(gateway, written.passphrase());
                if (privateKey == null || written.passphrase() != null && passphrase == null) {
                    return null;
                }
            }
        }
        return new GatewaySession.Settings(netconf.host(), netconf.port(), netconf.username(), password, privateKey,
            passphrase, netconf.pinnedHostKey(), netconf.keepalive().toMillis(), netconf.reconcileInterval().toMillis(),
            view.policy().dscpRenderer() == GatewayView.DscpRenderer.NETFILTER);
    }

    private void publish(final String gateway, final GatewaySession.@Nullable State state) {
        if (state == null) {
            // no NETCONF configuration: no NETCONF state
            registry.publishNetconfState(gateway, null);
            return;
        }
        final var builder = new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways
            .gateway.state.NetconfBuilder();
        builder.setConnectionStatus(switch (state.status()) {
            case CONNECTING -> org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways
                .gateway.state.Netconf.ConnectionStatus.Connecting;
            case CONNECTED -> org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways
                .gateway.state.Netconf.ConnectionStatus.Connected;
            case UNABLE_TO_CONNECT -> org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
                .gateways.gateway.state.Netconf.ConnectionStatus.UnableToConnect;
            case HOST_KEY_MISMATCH -> org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
                .gateways.gateway.state.Netconf.ConnectionStatus.HostKeyMismatch;
            case MODEL_MISSING -> org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
                .gateways.gateway.state.Netconf.ConnectionStatus.MissingCapability;
        })
            .setHostKeySha256(state.hostKey())
            .setLastError(state.lastError())
            .setConnectedSince(state.connectedSince() == null ? null
                : BindingMappings.dateAndTime(state.connectedSince()))
            .setLastReconcile(state.lastReconcile() == null ? null
                : BindingMappings.dateAndTime(state.lastReconcile()))
            .setEditsSent(new Counter64(Uint64.valueOf(state.editsSent())))
            .setEditsFailed(new Counter64(Uint64.valueOf(state.editsFailed())))
            .setReconnects(new Counter64(Uint64.valueOf(state.reconnects())));
        registry.publishNetconfState(gateway, builder.build());
    }

    @Override
    public Renderer kind() {
        return Renderer.Netfilter;
    }

    @Override
    public boolean renders(final Mapping mapping) {
        return sessions.containsKey(mapping.key().gateway());
    }

    @Override
    public ListenableFuture<RenderOutcome> whenRendered(final Mapping mapping) {
        final var session = sessions.get(mapping.key().gateway());
        return session == null ? Futures.immediateFuture(new RenderOutcome.Failed("no NETCONF session"))
            : session.awaitRendered(mapping);
    }

    @Override
    @Deactivate
    public void close() {
        registrations.forEach(Registration::close);
        sessions.values().forEach(GatewaySession::close);
        sessions.clear();
        scheduler.shutdownNow();
        pool.shutdown();
        LOG.info("NETCONF netfilter renderer stopped");
    }
}
