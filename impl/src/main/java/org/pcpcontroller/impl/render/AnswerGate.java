/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a SUCCESS answer may leave. Right after the datastore commit, unless the gateway asks for
 * {@code render/answer-after gateway-ack}: then it waits for every installed renderer that renders the mapping, bounded
 * by the gateway's {@code render/response-timeout}. The timeout runs on the gate's own timer, whatever the renderers
 * are busy with, so that one slow gateway delays no other gateway's answers. A mapping the request created and that
 * is not in effect in time is removed again (unless it changed meanwhile): a client told NETWORK_FAILURE must find
 * nothing kept.
 */
@Component(service = AnswerGate.class)
public final class AnswerGate implements AutoCloseable {
    /**
     * A mapping that is not in effect on its gateway: a renderer failed it, or did not acknowledge it in time.
     */
    public static final class NotRenderedException extends Exception {
        private static final long serialVersionUID = 1L;

        private final boolean unsupported;

        NotRenderedException(final Mapping mapping, final String reason, final boolean unsupported) {
            super("gateway " + mapping.key().gateway() + ": " + mapping.key() + " is not in effect: " + reason, null,
                false, false);
            this.unsupported = unsupported;
        }

        /**
         * Whether a renderer can never express a mapping of this protocol ({@link RenderOutcome.Unsupported}), rather
         * than failed to put it into effect now.
         */
        public boolean unsupported() {
            return unsupported;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AnswerGate.class);

    private final GatewayRegistry registry;
    private final MappingStore store;
    private final CopyOnWriteArrayList<MappingRenderer> renderers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-answer-gate").setDaemon(true).build());

    @Activate
    public AnswerGate(@Reference final GatewayRegistry registry, @Reference final MappingStore store) {
        this.registry = requireNonNull(registry);
        this.store = requireNonNull(store);
    }

    /**
     * A renderer came (its bundle started, or it was enabled). Dynamic, so that renderers come and go without the
     * engine or the ingresses restarting.
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addRenderer(final MappingRenderer renderer) {
        renderers.add(requireNonNull(renderer));
        LOG.info("Answers wait for the {} renderer where gateways ask for it", renderer.kind().getName());
    }

    public void removeRenderer(final MappingRenderer renderer) {
        renderers.remove(renderer);
    }

    /**
     * The stored mapping, once it is in effect where its gateway waits for that. Otherwise the future fails with
     * {@link NotRenderedException}; a mapping the request created is removed first.
     *
     * @param stored the store's future of the committed mapping
     * @param created whether the request created the mapping (a refresh keeps it)
     */
    public ListenableFuture<Mapping> afterRendered(final ListenableFuture<Mapping> stored, final boolean created) {
        return Futures.transformAsync(stored, mapping -> {
            final var gateway = registry.lookup(mapping.key().gateway());
            if (gateway.isEmpty() || !gateway.orElseThrow().render().waitForAck()) {
                return Futures.immediateFuture(mapping);
            }
            final var waits = renderers.stream().filter(renderer -> renderer.renders(mapping))
                .map(renderer -> renderer.whenRendered(mapping))
                .toList();
            if (waits.isEmpty()) {
                return Futures.immediateFuture(mapping);
            }
            final var result = SettableFuture.<Mapping>create();
            // the timeout and the renderers race; the first to decide answers, the other is ignored
            final var decided = new AtomicBoolean();
            final long timeout = gateway.orElseThrow().render().responseTimeout().toMillis();
            final var expiry = timer.schedule(() -> {
                if (decided.compareAndSet(false, true)) {
                    // the renderers may forget what they were asked to report
                    waits.forEach(wait -> wait.cancel(false));
                    notRendered(mapping, created, "not acknowledged within " + timeout + " ms", false, result);
                }
            }, timeout, TimeUnit.MILLISECONDS);
            Futures.addCallback(Futures.allAsList(waits), new FutureCallback<List<RenderOutcome>>() {
                @Override
                public void onSuccess(final List<RenderOutcome> outcomes) {
                    expiry.cancel(false);
                    if (!decided.compareAndSet(false, true)) {
                        return;
                    }
                    // a protocol a renderer can never express decides before a passing failure
                    final var unsupported = outcomes.stream().filter(RenderOutcome.Unsupported.class::isInstance)
                        .map(RenderOutcome.Unsupported.class::cast).findFirst();
                    final var failure = outcomes.stream().filter(RenderOutcome.Failed.class::isInstance)
                        .map(RenderOutcome.Failed.class::cast).findFirst();
                    if (unsupported.isPresent()) {
                        notRendered(mapping, created, unsupported.orElseThrow().reason(), true, result);
                    } else if (failure.isPresent()) {
                        notRendered(mapping, created, failure.orElseThrow().reason(), false, result);
                    } else {
                        result.set(mapping);
                    }
                }

                @Override
                public void onFailure(final Throwable cause) {
                    // cancelled by the timeout above, which answered already; or a renderer broke its contract
                    expiry.cancel(false);
                    if (decided.compareAndSet(false, true)) {
                        notRendered(mapping, created, String.valueOf(cause.getMessage()), false, result);
                    }
                }
            }, MoreExecutors.directExecutor());
            return result;
        }, MoreExecutors.directExecutor());
    }

    private void notRendered(final Mapping mapping, final boolean created, final String reason,
            final boolean unsupported, final SettableFuture<Mapping> result) {
        final var failure = new NotRenderedException(mapping, reason, unsupported);
        if (!created) {
            result.setException(failure);
            return;
        }
        // only the mapping as this request made it: a refresh that came in meanwhile was answered SUCCESS
        store.removeIfUnchanged(mapping).addListener(() -> result.setException(failure),
            MoreExecutors.directExecutor());
    }

    @Override
    @Deactivate
    public void close() {
        timer.shutdownNow();
    }
}
