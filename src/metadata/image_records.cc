// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/image_records.h"

#include <type_traits>

namespace eddy::metadata {
namespace {

// Record, const or not, is the record type T.
template <class Record, class T>
concept record_of = std::is_same_v<std::remove_const_t<Record>, T>;

// Each list names a record field and the image field it becomes, in that order; `copy`
// decides the direction.
template <class Record, class Image, class Copy>
requires record_of<Record, msg::register_broker_record::broker_endpoint>
void fields(Record& r, Image& i, const Copy& copy) {
    copy(r.name, i.name);
    copy(r.host, i.host);
    copy(r.port, i.port);
    copy(r.security_protocol, i.security_protocol);
}

template <class Record, class Image, class Copy>
requires record_of<Record, msg::register_broker_record::broker_feature>
void fields(Record& r, Image& i, const Copy& copy) {
    copy(r.name, i.name);
    copy(r.min_supported_version, i.min_version);
    copy(r.max_supported_version, i.max_version);
}

template <class Record, class Image, class Copy>
requires record_of<Record, msg::register_broker_record>
void fields(Record& r, Image& i, const Copy& copy) {
    copy(r.broker_id, i.id);
    copy(r.broker_epoch, i.epoch);
    copy(r.incarnation_id, i.incarnation_id);
    copy(r.end_points, i.endpoints);
    copy(r.features, i.features);
    copy(r.rack, i.rack);
    copy(r.fenced, i.fenced);
    copy(r.in_controlled_shutdown, i.in_controlled_shutdown);
    copy(r.log_dirs, i.log_dirs);
}

template <class Record, class Image, class Copy>
requires record_of<Record, msg::partition_record>
void fields(Record& r, Image& i, const Copy& copy) {
    copy(r.replicas, i.replicas);
    copy(r.isr, i.isr);
    copy(r.removing_replicas, i.removing_replicas);
    copy(r.adding_replicas, i.adding_replicas);
    copy(r.directories, i.directories);
    copy(r.leader, i.leader);
    copy(r.leader_recovery_state, i.leader_recovery_state);
    copy(r.leader_epoch, i.leader_epoch);
    copy(r.partition_epoch, i.partition_epoch);
}

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

// Copies between a record and an image struct, record -> image when ToImage, else back:
// plain assignment where the types allow it, element by element for vectors of different
// types, field by field (the lists above) for the structs.
template <bool ToImage>
struct copy_fields {
    template <class Record, class Image>
    void operator()(Record& r, Image& i) const {
        auto& to = pick<true>(r, i);
        const auto& from = pick<false>(r, i);
        using To = std::remove_reference_t<decltype(to)>;
        if constexpr (std::is_assignable_v<To&, decltype(from)>) {
            to = from;
        } else if constexpr (is_vector<To>::value) {
            to.clear();
            for (const auto& e : from) {
                auto& t = to.emplace_back();
                if constexpr (ToImage)
                    (*this)(e, t);
                else
                    (*this)(t, e);
            }
        } else {
            fields(r, i, *this);
        }
    }

    // The destination (Dest) or the source of a copy.
    template <bool Dest, class Record, class Image>
    static auto& pick(Record& r, Image& i) {
        if constexpr (Dest == ToImage) {
            return i;
        } else {
            return r;
        }
    }
};

}  // namespace

broker_registration to_registration(const msg::register_broker_record& r) {
    broker_registration b;
    copy_fields<true>{}(r, b);
    return b;
}

msg::register_broker_record to_record(const broker_registration& b) {
    msg::register_broker_record r;
    copy_fields<false>{}(r, b);
    return r;
}

partition_state to_partition_state(const msg::partition_record& r) {
    partition_state p;
    copy_fields<true>{}(r, p);
    return p;
}

msg::partition_record to_record(const codec::uuid& topic_id, int32_t partition,
                                const partition_state& p) {
    msg::partition_record r;
    r.topic_id = topic_id;
    r.partition_id = partition;
    copy_fields<false>{}(r, p);
    return r;
}

}  // namespace eddy::metadata
