{#- The deliveries of a JW305 or JW307 relation that still count, each ranked within `partition_by` (delivery_rank 1
    is the latest): StatusAanlevering 1 or 2, and no StatusAanlevering 3 delivered after it (by message date, then
    file, line and record) with the same allocation, product and start date. A message written on one line gives each
    record line 1: its position in the file settles such a tie, and a record's identity (file_sha256, source_record)
    makes the order total. -#}
{% macro latest_valid_deliveries(deliveries, partition_by) %}
    select
        {{ deliveries }}.*,
        row_number() over (
            partition by {{ deliveries }}.{{ partition_by | join(', ' ~ deliveries ~ '.') }}
            order by
                {{ deliveries }}.message_date desc, {{ deliveries }}.file_path desc,
                {{ deliveries }}.source_line desc, {{ deliveries }}.source_record desc, {{ deliveries }}.file_sha256 desc
        ) as delivery_rank
    from {{ deliveries }}
    where {{ deliveries }}.delivery_status in ('1', '2')
        and not exists (
            select 1
            from {{ deliveries }} as withdrawals
            where withdrawals.delivery_status = '3'
                and withdrawals.allocation_number = {{ deliveries }}.allocation_number
                and coalesce(withdrawals.product_code, '') = coalesce({{ deliveries }}.product_code, '')
                and withdrawals.start_date = {{ deliveries }}.start_date
                and (
                    withdrawals.message_date, withdrawals.file_path, withdrawals.source_line, withdrawals.source_record
                ) > (
                    {{ deliveries }}.message_date, {{ deliveries }}.file_path, {{ deliveries }}.source_line,
                    {{ deliveries }}.source_record
                )
        )
{% endmacro %}
