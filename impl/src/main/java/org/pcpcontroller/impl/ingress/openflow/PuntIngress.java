/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.opendaylight.yangtools.concepts.Registration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;
import org.pcpcontroller.impl.openflow.AuditSchedule;
import org.pcpcontroller.impl.openflow.Cookies;
import org.pcpcontroller.impl.openflow.OpenFlowSwitches;
import org.pcpcontroller.impl.openflow.SwitchBinding;
import org.pcpcontroller.impl.openflow.SwitchConnection;
import org.pcpcontroller.impl.openflow.SwitchListener;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow punt ingress: on every switch bound to a gateway, punt flows send PCP and NAT-PMP requests to the
 * controller; each PACKET_IN goes through the frame codec to the engine, and the answer goes back as PACKET_OUT. The
 * gateway's announcements leave through its switches too. The punt flows are audited while a switch is connected:
 * at once when the switch reports one deleted, and periodically. A change of these settings applies in place: the
 * punt flows are put anew, no switch is disconnected.
 */
@Component(service = { }, immediate = true, configurationPid = "org.pcpcontroller.ingress.openflow")
@Designate(ocd = PuntIngress.Configuration.class)
public final class PuntIngress implements SwitchListener, AutoCloseable {
    /**
     * Configuration of the punt ingress.
     */
    @ObjectClassDefinition(name = "PCP Controller OpenFlow punt ingress")
    public @interface Configuration {
        @AttributeDefinition(description = "OpenFlow priority of the punt flows (above the switch's own forwarding)")
        int puntPriority() default 60000;

        @AttributeDefinition(description = "Meter id used for the punt flows; 0 disables the meter")
        long puntMeterId() default 1;

        @AttributeDefinition(description = "Requests per second one client address may send on average")
        double clientRate() default 200;

        @AttributeDefinition(description = "Requests one client address may send in a burst")
        double clientBurst() default 400;

        @AttributeDefinition(description = "Seconds between two audits of every switch's punt flows (read back by "
            + "flow statistics, missing ones put back, stray ones deleted); 0 turns the periodic audit off. A punt "
            + "flow deleted on the switch is put back at once whatever this says, where the switch reports the "
            + "deletion (FLOW_REMOVED)")
        long auditInterval() default 60;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PuntIngress.class);

    private final RequestEngine engine;
    private final ConcurrentHashMap<SwitchConnection, PuntSwitch> switches = new ConcurrentHashMap<>();
    /** The engine's announcements of each gateway that has a switch; guarded by itself. */
    private final Map<String, Registration> announcers = new HashMap<>();
    private final Registration subscription;
    private final ScheduledExecutorService auditor = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-punt-audit").setDaemon(true).build());
    private volatile PuntSwitch.Settings settings;
    private volatile ClientRateLimiter limiter;
    // guarded by this
    private final AuditSchedule periodicAudits = new AuditSchedule(auditor, this::auditAll);

    @Activate
    public PuntIngress(@Reference final OpenFlowSwitches openflow, @Reference final RequestEngine engine,
            final Configuration configuration) {
        this.engine = requireNonNull(engine);
        settings = settings(configuration);
        limiter = new ClientRateLimiter(configuration.clientRate(), configuration.clientBurst());
        subscription = openflow.subscribe(this);
        periodicAudits.setInterval(configuration.auditInterval());
        LOG.info("OpenFlow punt ingress started");
    }

    /**
     * A configuration change, applied in place.
     */
    @Modified
    public void modified(final Configuration configuration) {
        limiter = new ClientRateLimiter(configuration.clientRate(), configuration.clientBurst());
        final var changed = settings(configuration);
        if (!changed.equals(settings)) {
            settings = changed;
            // the punt flows of the old settings are deleted by cookie before the new ones go in
            switches.values().forEach(punt -> punt.serve(changed));
        }
        periodicAudits.setInterval(configuration.auditInterval());
    }

    /** Audits the punt flows of every switch served now. */
    void auditAll() {
        switches.values().forEach(PuntSwitch::audit);
    }

    /** The periodic audit's interval in force, in seconds; 0 when off. */
    long auditInterval() {
        return periodicAudits.interval();
    }

    private static PuntSwitch.Settings settings(final Configuration configuration) {
        return new PuntSwitch.Settings(configuration.puntPriority(), configuration.puntMeterId());
    }

    @Override
    public void bound(final SwitchConnection connection, final SwitchBinding binding) {
        final var punt = new PuntSwitch(connection, binding, engine);
        switches.put(connection, punt);
        punt.serve(settings);
        synchronized (announcers) {
            announcers.computeIfAbsent(binding.gateway(), gateway -> engine.registerAnnouncer(gateway,
                announcement -> switches.values().stream()
                    .filter(each -> each.binding().gateway().equals(gateway))
                    .forEach(each -> each.announce(announcement))));
        }
    }

    @Override
    public void unbound(final SwitchConnection connection, final SwitchBinding previous) {
        final var punt = switches.remove(connection);
        if (punt != null) {
            punt.unserve();
        }
        synchronized (announcers) {
            if (switches.values().stream().noneMatch(each -> each.binding().gateway().equals(previous.gateway()))) {
                final var announcer = announcers.remove(previous.gateway());
                if (announcer != null) {
                    announcer.close();
                }
            }
        }
    }

    @Override
    public void packetIn(final SwitchConnection connection, final OFPacketIn packetIn) {
        final var punt = switches.get(connection);
        if (punt != null) {
            punt.packetIn(packetIn, limiter);
        }
    }

    @Override
    public void flowRemoved(final SwitchConnection connection, final OFFlowRemoved removed) {
        if (!removed.getCookie().applyMask(Cookies.KIND_MASK).equals(Cookies.PUNT)) {
            return;
        }
        final var punt = switches.get(connection);
        if (punt != null) {
            punt.flowRemoved(removed);
        }
    }

    /** What the ingress remembers of one switch's LAN, for the bounds the fuzz target checks. */
    int lanSidesOf(final SwitchConnection connection) {
        final var punt = switches.get(connection);
        return punt == null ? 0 : punt.lanSides();
    }

    @Override
    @Deactivate
    public void close() {
        subscription.close();
        auditor.shutdownNow();
        synchronized (announcers) {
            announcers.values().forEach(Registration::close);
            announcers.clear();
        }
        switches.clear();
        LOG.info("OpenFlow punt ingress stopped");
    }
}
