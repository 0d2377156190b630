/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FluentFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.PostCanCommitStep;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.mdsal.dom.api.DOMSchemaService;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yangtools.binding.DataObject;
import org.opendaylight.yangtools.binding.data.codec.api.BindingNormalizedNodeSerializer;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.util.concurrent.FluentFutures;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.opendaylight.yangtools.yang.model.api.EffectiveModelContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, at commit time, gateway configurations that YANG types alone cannot rule out (the must-statements of
 * pcp-gateway and pcp-flow-priority, which MD-SAL does not evaluate: port range start above end, min-lifetime above
 * max-lifetime, a goto-table that does not follow the marking table, ...). It checks every section through the same
 * {@link GatewayParser} the registry serves from, so that what is stored can be served. Whoever writes the
 * configuration, RESTCONF included, gets the reason and nothing is stored.
 */
@Component(service = { })
public final class GatewayConfigCohort implements DOMDataTreeCommitCohort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfigCohort.class);
    private static final YangInstanceIdentifier GATEWAYS = YangInstanceIdentifier.of(Gateways.QNAME, Gateway.QNAME);
    private static final YangInstanceIdentifier MARKINGS = YangInstanceIdentifier.of(FlowPriority.QNAME,
        org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway.QNAME);

    private final BindingNormalizedNodeSerializer codec;
    private final GatewayParser parser;
    private final List<Registration> registrations;

    @Activate
    public GatewayConfigCohort(@Reference final DOMDataBroker broker,
            @Reference final BindingNormalizedNodeSerializer codec, @Reference final DOMSchemaService schema) {
        this(broker, codec, new GatewayParser(new ModelDefaults(schema.getGlobalContext())));
    }

    public GatewayConfigCohort(final DOMDataBroker broker, final BindingNormalizedNodeSerializer codec,
            final GatewayParser parser) {
        this.codec = requireNonNull(codec);
        this.parser = requireNonNull(parser);
        final var cohorts = broker.extension(DOMDataBroker.CommitCohortExtension.class);
        if (cohorts == null) {
            LOG.warn("The data broker takes no commit cohorts: invalid gateways are only flagged in their state");
            registrations = List.of();
        } else {
            registrations = List.of(
                cohorts.registerCommitCohort(DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, GATEWAYS),
                    this),
                cohorts.registerCommitCohort(DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, MARKINGS),
                    this));
        }
    }

    @Override
    public FluentFuture<PostCanCommitStep> canCommit(final Object txId, final EffectiveModelContext ctx,
            final Collection<DOMDataTreeCandidate> candidates) {
        final var problems = new ArrayList<String>();
        YangInstanceIdentifier where = null;
        for (var candidate : candidates) {
            final var after = candidate.getRootNode().dataAfter();
            if (after != null) {
                final var path = candidate.getRootPath().path();
                if (check(path, after, problems)) {
                    where = path;
                }
            }
        }
        if (problems.isEmpty()) {
            return PostCanCommitStep.NOOP_SUCCESSFUL_FUTURE;
        }
        LOG.info("Refusing gateway configuration: {}", problems);
        return FluentFutures.immediateFailedFluentFuture(new DataValidationFailedException(
            YangInstanceIdentifier.class, where != null ? where : GATEWAYS, String.join("; ", problems)));
    }

    // The candidate is rooted where we registered, at the gateway list itself (a MapNode, which has no binding
    // form), or below it at one gateway: walk down to the entries.
    private boolean check(final YangInstanceIdentifier path, final NormalizedNode node, final List<String> problems) {
        if (node instanceof MapNode list) {
            boolean failed = false;
            for (var entry : list.body()) {
                failed |= check(path.node(entry.name()), entry, problems);
            }
            return failed;
        }
        final var entry = codec.fromNormalizedNode(path, node);
        if (entry == null) {
            return false;
        }
        boolean failed = false;
        for (var config : entries(entry.getValue())) {
            try {
                switch (config) {
                    case Gateway gateway -> parser.parse(gateway, null);
                    case org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow
                            .priority.Gateway marking -> parser.parseMarking(marking);
                    default -> throw new IllegalStateException("Unexpected " + config);
                }
            } catch (InvalidGatewayException e) {
                problems.add(e.getMessage());
                failed = true;
            }
        }
        return failed;
    }

    // The entries a candidate holds, whether rooted at one entry or at its container.
    private static List<DataObject> entries(final DataObject data) {
        return switch (data) {
            case Gateway gateway -> List.of(gateway);
            case Gateways all -> List.copyOf(all.nonnullGateway().values());
            case org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority
                    .Gateway marking -> List.of(marking);
            case FlowPriority all -> List.copyOf(all.nonnullGateway().values());
            default -> List.of();
        };
    }

    @Override
    @Deactivate
    public void close() {
        registrations.forEach(Registration::close);
    }
}
