/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.mappinglog;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapping log on SLF4J, which Karaf's pax-logging routes as its configuration says. The level is asked at every
 * event, so that {@code log:set INFO org.pcpcontroller.mappings} and its opposite take effect at once.
 */
final class OperatorLog implements MappingEventLog {
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    @Override
    public boolean enabled() {
        return LOG.isInfoEnabled();
    }

    @Override
    @SuppressFBWarnings(value = "SLF4J_SIGN_ONLY_FORMAT", justification = "The whole line is MappingLogLine's "
        + "format, which operators grep; it goes as an argument, not as the format, so that a client's description "
        + "holding {} stays text")
    public void log(final MappingEvent event) {
        LOG.info("{}", MappingLogLine.format(event));
    }
}
