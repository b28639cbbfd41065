{#- Consecutive cuts of each quarter and region in the close history: the latest run at a cut is that cut's close
    (a re-run at the same cut reproduces it), and each cut is paired with the one before it. -#}
with closes as (
    select * from {{ source('close_history', 'closes') }}
),

ranked_at_cut as (
    select
        close_id,
        quarter,
        region_code,
        data_cut,
        run_id,
        row_number() over (
            partition by quarter, region_code, data_cut order by closed_at desc, run_id desc
        ) as rank_at_cut
    from closes
),

cut_closes as (
    select close_id, quarter, region_code, data_cut, run_id
    from ranked_at_cut
    where rank_at_cut = 1
),

consecutive_cuts as (
    select
        quarter,
        region_code,
        lag(close_id) over (partition by quarter, region_code order by data_cut) as from_close_id,
        lag(data_cut) over (partition by quarter, region_code order by data_cut) as from_cut,
        lag(run_id) over (partition by quarter, region_code order by data_cut) as from_run_id,
        close_id as to_close_id,
        data_cut as to_cut,
        run_id as to_run_id
    from cut_closes
),

final as (
    select * from consecutive_cuts
    where from_close_id is not null
)

select * from final
