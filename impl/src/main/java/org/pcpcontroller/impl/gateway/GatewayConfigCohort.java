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
 * pcp-gateway, which MD-SAL does not evaluate: port range start above end, min-lifetime above max-lifetime, ...).
 * Whoever writes the configuration, RESTCONF included, gets the reason and nothing is stored.
 */
@Component(service = { })
public final class GatewayConfigCohort implements DOMDataTreeCommitCohort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfigCohort.class);
    private static final YangInstanceIdentifier GATEWAYS = YangInstanceIdentifier.of(Gateways.QNAME, Gateway.QNAME);

    private final BindingNormalizedNodeSerializer codec;
    private final Registration registration;

    @Activate
    public GatewayConfigCohort(@Reference final DOMDataBroker broker,
            @Reference final BindingNormalizedNodeSerializer codec) {
        this.codec = requireNonNull(codec);
        final var cohorts = broker.extension(DOMDataBroker.CommitCohortExtension.class);
        if (cohorts == null) {
            LOG.warn("The data broker takes no commit cohorts: invalid gateways are only flagged in their state");
            registration = null;
        } else {
            registration = cohorts.registerCommitCohort(
                DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, GATEWAYS), this);
        }
    }

    @Override
    public FluentFuture<PostCanCommitStep> canCommit(final Object txId, final EffectiveModelContext ctx,
            final Collection<DOMDataTreeCandidate> candidates) {
        final var problems = new ArrayList<String>();
        YangInstanceIdentifier where = GATEWAYS;
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
            YangInstanceIdentifier.class, where, String.join("; ", problems)));
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
        for (var gateway : gateways(entry.getValue())) {
            try {
                GatewayView.of(gateway);
            } catch (InvalidGatewayException e) {
                problems.add(e.getMessage());
                failed = true;
            }
        }
        return failed;
    }

    private static List<Gateway> gateways(final DataObject data) {
        return switch (data) {
            case Gateway gateway -> List.of(gateway);
            case Gateways all -> List.copyOf(all.nonnullGateway().values());
            default -> List.of();
        };
    }

    @Override
    @Deactivate
    public void close() {
        if (registration != null) {
            registration.close();
        }
    }
}
