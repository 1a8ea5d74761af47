package org.trestle.sync.core.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import jakarta.persistence.metamodel.Attribute.PersistentAttributeType;
import jakarta.persistence.metamodel.EntityType;
import jakarta.persistence.metamodel.Metamodel;
import jakarta.persistence.metamodel.SingularAttribute;

import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.Derived;
import org.trestle.sync.api.entity.SyncEntity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Serializes synchronized entities by attribute name and applies incoming data to them,
 * driven by the JPA metamodel: plain attributes as JSON values, decimals as strings,
 * dates as {@code yyyy-MM-dd}, timestamps as ISO-8601 UTC, references to other
 * synchronized entities as their uuid.
 */
public final class EntityCodec {

    private static final Set<String> ENVELOPE = Set.of(SyncEntity.UUID, SyncEntity.UPDATED_AT, SyncEntity.DELETED);

    private final Map<String, TypeCodec> byName = new LinkedHashMap<>();
    private final Map<Class<?>, TypeCodec> byClass = new LinkedHashMap<>();

    /** How one entity type's attributes are read and written. */
    public record TypeCodec(EntityTypeInfo info, List<AttributeCodec> attributes, Map<String, AttributeCodec> byName) {
    }

    /** One serialized attribute. */
    public record AttributeCodec(String name, Field field, Class<?> javaType, Class<? extends SyncEntity> reference,
            boolean primitive, boolean derived) {

        /**
         * @return a decimal with at least the scale its column declares ({@code 1} of a
         *         {@code decimal(15,3)} as {@code 1.000}), so that every node and every write
         *         path holds and sends the same text; more decimals are left to the rules
         */
        BigDecimal scaled(BigDecimal value) {
            jakarta.persistence.Column column = field.getAnnotation(jakarta.persistence.Column.class);
            return column == null || column.precision() == 0 || value.scale() >= column.scale() ? value
                    : value.setScale(column.scale());
        }
    }

    public EntityCodec(List<EntityTypeInfo> types, Metamodel metamodel) {
        for (EntityTypeInfo info : types) {
            EntityType<?> entity = metamodel.entity(info.type());
            List<AttributeCodec> attributes = new ArrayList<>();
            for (SingularAttribute<?, ?> attribute : entity.getSingularAttributes()) {
                if (ENVELOPE.contains(attribute.getName())) {
                    continue;
                }
                Member member = attribute.getJavaMember();
                if (!(member instanceof Field field)) {
                    throw new IllegalStateException(info.name() + "." + attribute.getName() + " must use field access");
                }
                field.setAccessible(true);
                Class<? extends SyncEntity> reference = null;
                PersistentAttributeType kind = attribute.getPersistentAttributeType();
                if (kind == PersistentAttributeType.MANY_TO_ONE || kind == PersistentAttributeType.ONE_TO_ONE) {
                    if (!SyncEntity.class.isAssignableFrom(attribute.getJavaType())) {
                        throw new IllegalStateException(info.name() + "." + attribute.getName()
                                + " references a type that is not synchronized");
                    }
                    reference = attribute.getJavaType().asSubclass(SyncEntity.class);
                } else if (kind != PersistentAttributeType.BASIC) {
                    continue;
                }
                attributes.add(new AttributeCodec(attribute.getName(), field, attribute.getJavaType(), reference,
                        attribute.getJavaType().isPrimitive(), field.isAnnotationPresent(Derived.class)));
            }
            attributes.sort(Comparator.comparing(AttributeCodec::name));
            Map<String, AttributeCodec> names = new LinkedHashMap<>();
            attributes.forEach(a -> names.put(a.name(), a));
            TypeCodec codec = new TypeCodec(info, List.copyOf(attributes), names);
            byName.put(info.name(), codec);
            byClass.put(info.type(), codec);
        }
    }

    /** @return the names of the derived attributes of a type */
    public Set<String> derivedNames(TypeCodec codec) {
        return derived.computeIfAbsent(codec.info().name(), n -> codec.attributes().stream()
                .filter(AttributeCodec::derived).map(AttributeCodec::name).collect(java.util.stream.Collectors.toUnmodifiableSet()));
    }

    private final Map<String, Set<String>> derived = new java.util.concurrent.ConcurrentHashMap<>();

    public TypeCodec type(String name) {
        return byName.get(name);
    }

    /** @return the codec of an entity's class (or of its nearest declared superclass) */
    public TypeCodec typeOf(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            TypeCodec codec = byClass.get(c);
            if (codec != null) {
                return codec;
            }
        }
        return null;
    }

    public List<TypeCodec> types() {
        return List.copyOf(byName.values());
    }

    public ObjectNode serialize(SyncEntity entity) {
        TypeCodec codec = typeOf(entity.getClass());
        if (codec == null) {
            throw new IllegalArgumentException(entity.getClass().getName() + " is not a synchronized entity type");
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (AttributeCodec a : codec.attributes()) {
            data.set(a.name(), toJson(a, read(a, entity)));
        }
        return data;
    }

    /**
     * Writes incoming data into an entity: the attributes named in {@code only} (all when
     * {@code null}); an attribute absent from full data becomes empty.
     *
     * @param resolver finds a referenced entity by its class and uuid, or returns {@code null}
     * @throws ApplyException for unknown attributes or values of the wrong type
     * @throws MissingReferenceException when a referenced entity is not here yet
     */
    public void apply(TypeCodec codec, SyncEntity entity, ObjectNode data, Set<String> only,
            BiFunction<Class<? extends SyncEntity>, String, SyncEntity> resolver) {
        for (Iterator<String> names = data.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!codec.byName().containsKey(name)) {
                throw new ApplyException("unknown_attribute",
                        codec.info().name() + " has no attribute '" + Wire.abbreviate(name) + "'");
            }
        }
        Map<AttributeCodec, Object> values = new LinkedHashMap<>();
        for (AttributeCodec a : codec.attributes()) {
            if (a.derived() || (only != null && !only.contains(a.name()))) {
                continue; // a derived value is computed here, whatever the sender computed
            }
            values.put(a, fromJson(codec, a, data.get(a.name()), resolver));
        }
        values.forEach((a, v) -> write(a, entity, v));
    }

    private static Object read(AttributeCodec a, SyncEntity entity) {
        try {
            return a.field().get(entity);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(AttributeCodec a, SyncEntity entity, Object value) {
        try {
            a.field().set(entity, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode toJson(AttributeCodec a, Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (a.reference() != null) {
            return f.textNode(((SyncEntity) value).getUuid());
        }
        if (value instanceof BigDecimal d) {
            return f.textNode(a.scaled(d).toPlainString());
        }
        if (value instanceof LocalDate d) {
            return f.textNode(d.toString());
        }
        if (value instanceof Instant i) {
            return f.textNode(Wire.format(i));
        }
        if (value instanceof Enum<?> e) {
            return f.textNode(e.name());
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return f.numberNode(i);
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof Short s) {
            return f.numberNode(s);
        }
        if (value instanceof Double d) {
            return f.numberNode(d);
        }
        return f.textNode(value.toString());
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static Object fromJson(TypeCodec codec, AttributeCodec a, JsonNode node,
            BiFunction<Class<? extends SyncEntity>, String, SyncEntity> resolver) {
        String where = codec.info().name() + "." + a.name();
        if (node == null || node.isNull()) {
            if (a.primitive()) {
                throw new ApplyException("invalid_value", where + " cannot be empty");
            }
            return null;
        }
        Class<?> t = a.javaType();
        try {
            if (a.reference() != null) {
                String uuid = text(node, where);
                SyncEntity target = resolver.apply(a.reference(), uuid);
                if (target == null) {
                    throw new MissingReferenceException(uuid);
                }
                return target;
            }
            if (t == String.class) {
                return text(node, where);
            }
            if (t == BigDecimal.class) {
                return a.scaled(node.isNumber() ? node.decimalValue() : new BigDecimal(text(node, where)));
            }
            if (t == LocalDate.class) {
                return LocalDate.parse(text(node, where));
            }
            if (t == Instant.class) {
                return Wire.parse(text(node, where));
            }
            if (t.isEnum()) {
                return Enum.valueOf((Class) t, text(node, where));
            }
            if (t == Boolean.class || t == boolean.class) {
                if (!node.isBoolean()) {
                    throw new ApplyException("invalid_value", where + " must be true or false");
                }
                return node.booleanValue();
            }
            if (t == Integer.class || t == int.class) {
                if (!node.canConvertToInt() || !node.isIntegralNumber()) {
                    throw new ApplyException("invalid_value", where + " must be a whole number in the int range");
                }
                return node.intValue();
            }
            if (t == Long.class || t == long.class) {
                if (!node.canConvertToLong() || !node.isIntegralNumber()) {
                    throw new ApplyException("invalid_value", where + " must be a whole number in the long range");
                }
                return node.longValue();
            }
            if (t == Double.class || t == double.class) {
                if (!node.isNumber()) {
                    throw new ApplyException("invalid_value", where + " must be a number");
                }
                return node.doubleValue();
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ApplyException("invalid_value", where + ": '" + Wire.abbreviate(node.asText()) + "' is not valid");
        } catch (IllegalArgumentException e) {
            throw new ApplyException("invalid_value", where + ": " + e.getMessage());
        }
        throw new ApplyException("invalid_value", where + " has an unsupported type " + t.getName());
    }

    private static String text(JsonNode node, String where) {
        if (!node.isTextual()) {
            throw new ApplyException("invalid_value", where + " must be a string");
        }
        return node.textValue();
    }
}
