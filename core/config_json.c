/* libconfig values as JSON (see core/config_json.h). */
#include "core/config_json.h"

json_t *prism_config_node_to_json(const config_setting_t *node)
{
    switch (config_setting_type(node)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return json_integer(config_setting_get_int64(node));
    case CONFIG_TYPE_FLOAT:
        return json_real(config_setting_get_float(node));
    case CONFIG_TYPE_BOOL:
        return json_boolean(config_setting_get_bool(node));
    case CONFIG_TYPE_STRING:
        return json_string(config_setting_get_string(node));
    case CONFIG_TYPE_GROUP: {
        json_t *object = json_object();
        for (int i = 0; i < config_setting_length(node); i++) {
            const config_setting_t *member = config_setting_get_elem(node, (unsigned)i);
            json_object_set_new(object, config_setting_name(member),
                                prism_config_node_to_json(member));
        }
        return object;
    }
    default: { /* array or list */
        json_t *array = json_array();
        for (int i = 0; i < config_setting_length(node); i++)
            json_array_append_new(
                array, prism_config_node_to_json(config_setting_get_elem(node, (unsigned)i)));
        return array;
    }
    }
}
