package io.barcodepush.export;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.model.ModelLifecycleStrategySupport;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reseller interfaces declared in the YAML routes, validated as each templated route is added.
 *
 * <p>An invalid interface is logged at ERROR with the setting and the fix, and its route is not started, so one
 * bad interface never stops the others.
 */
public class InterfaceCatalog extends ModelLifecycleStrategySupport implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(InterfaceCatalog.class);

    /** Template parameter that marks a route as an export interface. */
    private static final String KEY_PARAMETER = "key";
    /** A template default that refers to an application.properties key, such as {@code {{barcode-push.time-zone}}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)}}");

    private final Map<String, ExportInterface> valid = new LinkedHashMap<>();
    private final Map<String, InvalidInterfaceException> invalid = new LinkedHashMap<>();
    private final Map<String, String> routeIds = new HashMap<>();
    private CamelContext camelContext;

    @Override
    public synchronized void onAddRouteDefinition(RouteDefinition route) {
        Map<String, Object> parameters = route.getTemplateParameters();
        if (!route.isCreatedFromTemplate() || parameters == null || !parameters.containsKey(KEY_PARAMETER)) {
            return;
        }
        Map<String, String> resolved = new HashMap<>();
        parameters.forEach((name, value) -> resolved.put(name,
                value == null ? "" : camelContext.resolvePropertyPlaceholders(value.toString())));
        String key = resolved.get(KEY_PARAMETER);
        // A route reload adds the same route again: its new settings replace the old ones.
        String routeId = String.valueOf(route.getRouteId());
        String owner = routeIds.putIfAbsent(key, routeId);
        if (routeId.equals(owner)) {
            valid.remove(key);
            invalid.remove(key);
        }
        try {
            ExportInterface exportInterface = ExportInterface.fromParameters(resolved);
            if (valid.containsKey(key) || invalid.containsKey(key)) {
                throw new InvalidInterfaceException(key, "key", key,
                        "Two interfaces use this key; give each interface its own key.");
            }
            if (!exportInterface.routeId().equals(route.getRouteId())) {
                throw new InvalidInterfaceException(key, "routeId", String.valueOf(route.getRouteId()),
                        "Set routeId to " + exportInterface.routeId() + " (export- followed by the key).");
            }
            valid.put(key, exportInterface);
            LOG.info("Interface {} ({}) loaded: contacts {}, sales channels {}, recipients {}, cron '{}' in {}",
                    key, exportInterface.name(), exportInterface.contactNumbers(), exportInterface.salesChannels(),
                    exportInterface.recipients(), exportInterface.cron(), exportInterface.scheduleZone());
            if (exportInterface.cronSkipsRepeatedHour()) {
                LOG.warn("Interface {}: cron '{}' fires more than hourly in {}, which has daylight saving time, so it"
                        + " goes quiet for an hour in autumn. Set scheduleTimeZone to UTC to keep it regular.", key,
                        exportInterface.cron(), exportInterface.scheduleZone());
            }
        } catch (InvalidInterfaceException invalidSetting) {
            InvalidInterfaceException e = invalidSetting;
            Object raw = parameters.get(invalidSetting.setting());
            Matcher placeholder = raw == null ? null : PLACEHOLDER.matcher(raw.toString().trim());
            if (placeholder != null && placeholder.matches()) {
                e = invalidSetting.fromDefault(placeholder.group(1));
            }
            invalid.put(key, e);
            route.setAutoStartup("false");
            // Camel creates the endpoints of a route that does not start, and a Quartz endpoint with a bad cron
            // would fail the whole context. A direct endpoint that nothing calls keeps the route inert.
            route.getInput().setUri("direct:invalid-interface-" + route.getRouteId());
            LOG.error("{} The interface does not run until this is fixed.", e.getMessage());
        }
    }

    /**
     * Logs a WARN for each contact or sales channel mapped to more than one interface, because its barcodes go to
     * each of those resellers.
     */
    public synchronized void warnAboutSharedMappings() {
        Map<String, List<String>> owners = new TreeMap<>();
        for (ExportInterface exportInterface : valid.values()) {
            exportInterface.contactNumbers().forEach(contact -> owners
                    .computeIfAbsent("contact " + contact, k -> new ArrayList<>()).add(exportInterface.key()));
            exportInterface.salesChannels().forEach(channel -> owners
                    .computeIfAbsent("sales channel " + channel, k -> new ArrayList<>()).add(exportInterface.key()));
        }
        owners.forEach((mapping, keys) -> {
            if (keys.size() > 1) {
                LOG.warn("The {} is mapped to interfaces {}, so its barcodes go to each of these resellers. Remove"
                        + " it from all but one unless that is intended.", mapping, keys);
            }
        });
    }

    /** Returns the interface with this key, or throws if it is unknown or invalid. */
    public synchronized ExportInterface require(String key) {
        ExportInterface exportInterface = valid.get(key);
        if (exportInterface != null) {
            return exportInterface;
        }
        InvalidInterfaceException problem = invalid.get(key);
        if (problem != null) {
            throw problem;
        }
        throw new IllegalArgumentException("Unknown interface key '" + key + "'; known keys: " + keys());
    }

    public synchronized List<ExportInterface> validInterfaces() {
        return List.copyOf(valid.values());
    }

    public synchronized Collection<InvalidInterfaceException> problems() {
        return List.copyOf(invalid.values());
    }

    public synchronized Set<String> keys() {
        Set<String> keys = new TreeSet<>(valid.keySet());
        keys.addAll(invalid.keySet());
        return keys;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
