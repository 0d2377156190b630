/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.operator;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import java.time.Clock;
import java.util.function.Function;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMapping;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMappingInput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMappingOutput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMappingOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.ClearGateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.ClearGatewayInput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.ClearGatewayOutput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.ClearGatewayOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RefreshMapping;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RefreshMappingInput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RefreshMappingOutput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RefreshMappingOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RemoveMapping;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RemoveMappingInput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RemoveMappingOutput;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RemoveMappingOutputBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.ErrorType;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.RpcResultBuilder;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingConflictException;
import org.pcpcontroller.impl.store.MappingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pcp-mapping RPCs through which operators add, refresh and remove mappings. Every failure is an RPC error
 * that says what is wrong, and nothing is stored unless the whole request is valid.
 */
@Component(service = { })
public final class OperatorMappingRpcs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorMappingRpcs.class);

    private final GatewayRegistry gateways;
    private final MappingStore store;
    private final Clock clock;
    private final Registration registration;

    @Activate
    public OperatorMappingRpcs(@Reference final RpcProviderService rpcProvider,
            @Reference final GatewayRegistry gateways, @Reference final MappingStore store) {
        this(rpcProvider, gateways, store, Clock.systemUTC());
    }

    public OperatorMappingRpcs(final RpcProviderService rpcProvider, final GatewayRegistry gateways,
            final MappingStore store, final Clock clock) {
        this.gateways = requireNonNull(gateways);
        this.store = requireNonNull(store);
        this.clock = requireNonNull(clock);
        registration = rpcProvider.registerRpcImplementations(
            (AddMapping) this::addMapping,
            (RefreshMapping) this::refreshMapping,
            (RemoveMapping) this::removeMapping,
            (ClearGateway) this::clearGateway);
    }

    ListenableFuture<RpcResult<AddMappingOutput>> addMapping(final AddMappingInput input) {
        final Mapping mapping;
        try {
            mapping = OperatorRequests.mapping(input, gateway(input.requireGatewayId().getValue()), store,
                clock.instant());
        } catch (InvalidRequestException e) {
            return failed(e);
        }
        LOG.info("Operator adds {}", mapping);
        return complete(store.create(mapping), created -> {
            final var output = new AddMappingOutputBuilder()
                .setExternalAddress(BindingMappings.address(created.externalAddress()))
                .setExternalPort(BindingMappings.port(created.externalPort()));
            if (created.expires() != null) {
                output.setExpires(BindingMappings.dateAndTime(created.expires()));
            }
            return output.build();
        });
    }

    ListenableFuture<RpcResult<RefreshMappingOutput>> refreshMapping(final RefreshMappingInput input) {
        final Mapping existing;
        try {
            final var key = OperatorRequests.key(input);
            existing = store.get(key).orElseThrow(() -> new InvalidRequestException(ErrorTag.DATA_MISSING,
                "no mapping " + key));
        } catch (InvalidRequestException e) {
            return failed(e);
        }
        final var lifetime = input.getLifetime();
        final var refreshed = existing.withExpires(lifetime == null ? null
            : clock.instant().plusSeconds(lifetime.getValue().toJava()));
        LOG.info("Operator refreshes {} until {}", refreshed.key(), refreshed.expires());
        return complete(store.put(refreshed), stored -> {
            final var output = new RefreshMappingOutputBuilder();
            if (stored.expires() != null) {
                output.setExpires(BindingMappings.dateAndTime(stored.expires()));
            }
            return output.build();
        });
    }

    ListenableFuture<RpcResult<RemoveMappingOutput>> removeMapping(final RemoveMappingInput input) {
        final org.pcpcontroller.api.mapping.MappingKey key;
        try {
            key = OperatorRequests.key(input);
        } catch (InvalidRequestException e) {
            return failed(e);
        }
        LOG.info("Operator removes {}", key);
        final var result = SettableFuture.<RpcResult<RemoveMappingOutput>>create();
        Futures.addCallback(store.remove(key), new FutureCallback<>() {
            @Override
            public void onSuccess(final java.util.Optional<Mapping> removed) {
                result.set(removed.isPresent()
                    ? RpcResultBuilder.success(new RemoveMappingOutputBuilder().build()).build()
                    : RpcResultBuilder.<RemoveMappingOutput>failed()
                        .withError(ErrorType.APPLICATION, ErrorTag.DATA_MISSING, "no mapping " + key).build());
            }

            @Override
            public void onFailure(final Throwable cause) {
                result.set(storeFailure(cause));
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    ListenableFuture<RpcResult<ClearGatewayOutput>> clearGateway(final ClearGatewayInput input) {
        final var gateway = input.requireGatewayId().getValue();
        final var origin = input.getOrigin() == null ? null : BindingMappings.origin(input.getOrigin());
        LOG.info("Operator clears gateway {} (origin {})", gateway, origin == null ? "any" : origin);
        return complete(store.clear(gateway, origin), removed -> new ClearGatewayOutputBuilder()
            .setRemoved(Uint32.valueOf(removed.size())).build());
    }

    private GatewayView gateway(final String id) throws InvalidRequestException {
        final var view = gateways.lookup(id);
        if (view.isPresent()) {
            return view.orElseThrow();
        }
        final var problems = gateways.problems(id);
        throw new InvalidRequestException(problems.isEmpty() ? ErrorTag.DATA_MISSING : ErrorTag.INVALID_VALUE,
            problems.isEmpty() ? "gateway " + id + " is not configured"
                : "gateway " + id + " is misconfigured: " + String.join("; ", problems));
    }

    private static <T, O> ListenableFuture<RpcResult<O>> complete(final ListenableFuture<T> future,
            final Function<T, O> output) {
        final var result = SettableFuture.<RpcResult<O>>create();
        Futures.addCallback(future, new FutureCallback<T>() {
            @Override
            public void onSuccess(final T value) {
                result.set(RpcResultBuilder.success(output.apply(value)).build());
            }

            @Override
            public void onFailure(final Throwable cause) {
                result.set(storeFailure(cause));
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    private static <O> RpcResult<O> storeFailure(final Throwable cause) {
        if (cause instanceof MappingConflictException conflict) {
            return RpcResultBuilder.<O>failed()
                .withError(ErrorType.APPLICATION, ErrorTag.DATA_EXISTS, conflict.getMessage()).build();
        }
        LOG.warn("Mapping store failed", cause);
        return RpcResultBuilder.<O>failed()
            .withError(ErrorType.APPLICATION, ErrorTag.OPERATION_FAILED, "storing failed: " + cause.getMessage())
            .build();
    }

    private static <O> ListenableFuture<RpcResult<O>> failed(final InvalidRequestException cause) {
        return RpcResultBuilder.<O>failed().withError(ErrorType.APPLICATION, cause.tag(), cause.getMessage())
            .buildFuture();
    }

    @Override
    @Deactivate
    public void close() {
        registration.close();
    }
}
