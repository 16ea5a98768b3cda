"""lounges and sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:15:41.486184
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lounges',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_lounges_channel_id_channels')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_lounges_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lounges')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_lounges_channel_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_lounges_slug'))
    )
    op.create_table('lounge_members',
    sa.Column('lounge_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('invited_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_lounge_members_invited_by_users')),
    sa.ForeignKeyConstraint(['lounge_id'], ['lounges.id'], name=op.f('fk_lounge_members_lounge_id_lounges')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lounge_members_user_id_users')),
    sa.PrimaryKeyConstraint('lounge_id', 'user_id', name=op.f('pk_lounge_members'))
    )
    with op.batch_alter_table('lounge_members', schema=None) as batch_op:
        batch_op.create_index('ix_lounge_members_user', ['user_id'], unique=False)

    op.create_table('lounge_tags',
    sa.Column('lounge_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['lounge_id'], ['lounges.id'], name=op.f('fk_lounge_tags_lounge_id_lounges')),
    sa.PrimaryKeyConstraint('lounge_id', 'tag', name=op.f('pk_lounge_tags'))
    )
    with op.batch_alter_table('lounge_tags', schema=None) as batch_op:
        batch_op.create_index('ix_lounge_tags_tag', ['tag'], unique=False)

    op.create_table('session_series',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('lounge_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rrule', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lounge_id'], ['lounges.id'], name=op.f('fk_session_series_lounge_id_lounges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_series'))
    )
    op.create_table('learning_sessions',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('lounge_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('series_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('join_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('ical_uid', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('host_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('original_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rsvp_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_learning_sessions_channel_id_channels')),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_learning_sessions_host_id_users')),
    sa.ForeignKeyConstraint(['lounge_id'], ['lounges.id'], name=op.f('fk_learning_sessions_lounge_id_lounges')),
    sa.ForeignKeyConstraint(['series_id'], ['session_series.id'], name=op.f('fk_learning_sessions_series_id_session_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_sessions')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_learning_sessions_channel_id')),
    sa.UniqueConstraint('ical_uid', name=op.f('uq_learning_sessions_ical_uid'))
    )
    with op.batch_alter_table('learning_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_learning_sessions_lounge_start', ['lounge_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_sessions_series_id'), ['series_id'], unique=False)
        batch_op.create_index('ix_learning_sessions_start', ['starts_at', 'id'], unique=False)

    op.create_table('rsvps',
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('queue_no', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['learning_sessions.id'], name=op.f('fk_rsvps_session_id_learning_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rsvps_user_id_users')),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_rsvps'))
    )
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_rsvps_queue', ['session_id', 'status', 'queue_no'], unique=False)
        batch_op.create_index('ix_rsvps_user', ['user_id'], unique=False)

    op.create_table('session_cohosts',
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['learning_sessions.id'], name=op.f('fk_session_cohosts_session_id_learning_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_cohosts_user_id_users')),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_cohosts'))
    )
    op.create_table('session_feedback',
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('takeaway', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['learning_sessions.id'], name=op.f('fk_session_feedback_session_id_learning_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_feedback_user_id_users')),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_feedback'))
    )
    op.create_table('session_resources',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_session_resources_added_by_users')),
    sa.ForeignKeyConstraint(['session_id'], ['learning_sessions.id'], name=op.f('fk_session_resources_session_id_learning_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_resources'))
    )
    with op.batch_alter_table('session_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_resources_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('session_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_resources_session_id'))

    op.drop_table('session_resources')
    op.drop_table('session_feedback')
    op.drop_table('session_cohosts')
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index('ix_rsvps_user')
        batch_op.drop_index('ix_rsvps_queue')

    op.drop_table('rsvps')
    with op.batch_alter_table('learning_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_learning_sessions_start')
        batch_op.drop_index(batch_op.f('ix_learning_sessions_series_id'))
        batch_op.drop_index('ix_learning_sessions_lounge_start')

    op.drop_table('learning_sessions')
    op.drop_table('session_series')
    with op.batch_alter_table('lounge_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_lounge_tags_tag')

    op.drop_table('lounge_tags')
    with op.batch_alter_table('lounge_members', schema=None) as batch_op:
        batch_op.drop_index('ix_lounge_members_user')

    op.drop_table('lounge_members')
    op.drop_table('lounges')
