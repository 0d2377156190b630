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
import com.google.common.util.concurrent.MoreExecutors;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Netconf;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The renderer's own writes into a gateway's {@code netconf} configuration: the encrypted form of a secret written in
 * clear, and the host key trusted on first use. Each change is a function of the container as it is at commit time
 * (null: leave it), all changes of one batch in one read-write transaction, tried again (reading anew) when the
 * commit fails. One transaction per gateway made a fleet written at once (3,000 gateways in one PATCH) commit 3,000
 * transactions together; on a loaded machine hundreds of them hit the datastore's request timeout.
 */
final class NetconfConfigWriter {
    /**
     * One change of one gateway's {@code netconf} container.
     *
     * @param change the new container given the current one, or null to leave it (the operator changed it since)
     * @param what for the log
     */
    record Change(String gateway, UnaryOperator<Netconf> change, String what) {
        Change {
            requireNonNull(gateway);
            requireNonNull(change);
            requireNonNull(what);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetconfConfigWriter.class);
    private static final int MAX_ATTEMPTS = 3;

    private final DataBroker dataBroker;

    NetconfConfigWriter(final DataBroker dataBroker) {
        this.dataBroker = requireNonNull(dataBroker);
    }

    static DataObjectIdentifier<Netconf> path(final String gateway) {
        return DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, new GatewayKey(new GatewayId(gateway)))
            .child(Netconf.class)
            .build();
    }

    void apply(final List<Change> batch) {
        apply(batch, 1);
    }

    private void apply(final List<Change> batch, final int attempt) {
        if (batch.isEmpty()) {
            return;
        }
        final var tx = dataBroker.newReadWriteTransaction();
        final var reads = batch.stream().map(item -> tx.read(LogicalDatastoreType.CONFIGURATION, path(item.gateway())))
            .toList();
        Futures.addCallback(Futures.allAsList(reads), new FutureCallback<List<Optional<Netconf>>>() {
            @Override
            public void onSuccess(final List<Optional<Netconf>> current) {
                boolean written = false;
                for (int i = 0; i < batch.size(); i++) {
                    final var item = batch.get(i);
                    final var netconf = current.get(i);
                    final var changed = netconf.isPresent() ? item.change().apply(netconf.orElseThrow()) : null;
                    if (changed != null) {
                        tx.put(LogicalDatastoreType.CONFIGURATION, path(item.gateway()), changed);
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
                        LOG.debug("Stored {} NETCONF configuration changes, first {} of gateway {}", batch.size(),
                            batch.getFirst().what(), batch.getFirst().gateway());
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        retry(batch, attempt, cause);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                retry(batch, attempt, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void retry(final List<Change> batch, final int attempt, final Throwable cause) {
        if (attempt < MAX_ATTEMPTS) {
            LOG.info("Storing {} NETCONF configuration changes failed; trying again", batch.size(), cause);
            apply(batch, attempt + 1);
        } else {
            LOG.warn("Cannot store {} NETCONF configuration changes (first {} of gateway {})", batch.size(),
                batch.getFirst().what(), batch.getFirst().gateway(), cause);
        }
    }
}
